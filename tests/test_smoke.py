from tests.conftest import fire, make_case


def test_a_registered_case_can_be_walked_to_closed(db, station, mediator, police, police_liaison):
    case = make_case(station, mediator)
    assert case.number.startswith("XLG-") and case.state == "registered"
    fire(case, "accept", mediator)
    fire(case, "refer", mediator)
    fire(case, "accept_referral", police_liaison)
    fire(case, "return_to_station", police_liaison)
    fire(case, "reach_agreement", mediator)
    assert case.state == "following_up"
    db.session.commit()
    assert [e.action for e in case.events] == [
        "register",
        "accept",
        "refer",
        "accept_referral",
        "return_to_station",
        "reach_agreement",
    ]
