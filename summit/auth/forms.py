"""Staff sign-in and token forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class TokenForm(FlaskForm):
    label = StringField("What is it for?", validators=[Length(max=100)],
                        description="For example “Lane 3 scanner”.")
