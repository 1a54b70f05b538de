import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils.translation import override

from suishoupai.org.models import User
from suishoupai.org.validators import LettersAndDigitsValidator

PASSWORD = "correct-horse-battery"


@pytest.mark.parametrize("password", ["onlyletterspassword", "1234567890123", "------------"])
def test_a_password_needs_letters_and_digits(password):
    with pytest.raises(ValidationError) as error, override("zh-hans"):
        LettersAndDigitsValidator().validate(password)
    assert "字母和数字" in error.value.messages[0]


def test_letters_and_digits_pass():
    LettersAndDigitsValidator().validate("harbin2026snow")


@pytest.mark.django_db
def test_the_project_rules_refuse_short_and_digitless_passwords():
    with pytest.raises(ValidationError) as error, override("zh-hans"):
        validate_password("abc12")
    text = " ".join(error.value.messages)
    assert "10" in text  # minimum length
    with pytest.raises(ValidationError):
        validate_password("harbinwinterisverycold")
    validate_password("Harbin-2026-snow")


@pytest.mark.django_db
def test_the_admin_refuses_a_weak_password_for_a_new_user():
    root = User.objects.create_superuser("root", password=PASSWORD)
    client = Client()
    client.force_login(root)
    weak = {
        "username": "newbie",
        "usable_password": "true",
        "password1": "harbinharbin",
        "password2": "harbinharbin",
        "role": "operator",
    }
    page = client.post("/admin/org/user/add/", weak)
    assert page.status_code == 200
    assert "字母和数字" in page.content.decode()
    assert not User.objects.filter(username="newbie").exists()
    strong = {**weak, "password1": "Harbin-2026-snow", "password2": "Harbin-2026-snow"}
    assert client.post("/admin/org/user/add/", strong).status_code == 302
    assert User.objects.get(username="newbie").check_password("Harbin-2026-snow")


@pytest.mark.django_db
def test_the_admin_refuses_a_weak_password_when_resetting_one():
    root = User.objects.create_superuser("root", password=PASSWORD)
    olga = User.objects.create_user("olga", password=PASSWORD)
    client = Client()
    client.force_login(root)
    page = client.post(
        f"/admin/org/user/{olga.pk}/password/",
        {"password1": "short1", "password2": "short1"},
    )
    assert page.status_code == 200
    olga.refresh_from_db()
    assert olga.check_password(PASSWORD)
