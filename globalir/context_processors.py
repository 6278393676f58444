from django.conf import settings

from .release import release as release_digest


def release(request):
    """RELEASE: what fragments kept rendered ({% cache %}) are filed under with their data, so that a deploy
    renders them anew (globalir.release)."""
    return {"RELEASE": release_digest()}


def contact(request):
    """The address people who are stuck can write to (settings.CONTACT_EMAIL; may be empty)."""
    return {"CONTACT_EMAIL": settings.CONTACT_EMAIL}
