from flask import Blueprint

bp = Blueprint("case_page", __name__)
