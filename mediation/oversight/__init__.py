"""The supervisor's view (issue 15, DESIGN §4): the dashboard of a period's figures over the reader's
stations beside the period before, the stations ranked, and breakdowns by station, mediator, category,
channel, month and agency as tables and SVG charts. Every number asks ``services.metrics`` and links to the
case list of exactly the cases behind it."""
