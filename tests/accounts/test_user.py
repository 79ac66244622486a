import pytest
from django.contrib.auth import authenticate, get_user_model
from django.db import IntegrityError

pytestmark = pytest.mark.django_db


def test_staff_log_in_with_their_email_address(rf):
    User = get_user_model()
    User.objects.create_user("Officer@Example.COM", "a-long-enough-password")

    # django-axes counts attempts per address, so authentication needs the request.
    user = authenticate(
        rf.post("/admin/login/"), email="officer@example.com", password="a-long-enough-password"
    )

    assert user is not None
    assert user.email == "officer@example.com"


def test_an_email_address_belongs_to_one_staff_user():
    User = get_user_model()
    User.objects.create_user("one@example.com", "pw-123456789012")

    with pytest.raises(IntegrityError):
        User.objects.create_user("ONE@example.com", "pw-123456789012")


def test_admin_login_page_asks_for_the_email(client):
    response = client.get("/admin/login/")

    assert response.status_code == 200
    assert "E-mail address" in response.text or "e-mail address" in response.text.lower()
