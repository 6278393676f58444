from django.conf import settings


def contact(request):
    """The address people who are stuck can write to (settings.CONTACT_EMAIL; may be empty)."""
    return {"CONTACT_EMAIL": settings.CONTACT_EMAIL}
