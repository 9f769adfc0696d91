"""Staff sign-in and token forms."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=256)])


class TokenForm(FlaskForm):
    label = StringField("What is it for?", validators=[Length(max=100)],
                        description="For example “Lane 3 scanner”.")

    expires = SelectField(
        "Valid for",
        choices=[("1d", "1 day"), ("3d", "3 days"), ("1w", "1 week"), ("30d", "30 days"),
                 ("365d", "1 year"), ("never", "Until revoked")],
        default="1w",
        description="It stops working after that; revoke it sooner if a device is lost.")
