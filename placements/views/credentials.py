"""A volunteer's credential document, for them, site admins and the coordinators of needs they applied to.

The response carries personal data, so it may not be cached (`never_cache`). Logs name users and
credentials by primary key only, never a document.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from volunteers import selectors as volunteer_selectors

from .. import selectors

logger = logging.getLogger(__name__)


@never_cache
@login_required
@require_safe
def credential_document(request, pk):
    # Not allowed and not there look the same (404), so that nobody learns which credentials exist.
    credential = selectors.credential_for_download(user=request.user, pk=pk)
    if credential is None:
        raise Http404(_("There is no document here, or you may not open it."))
    document = volunteer_selectors.credential_document_open(credential=credential)
    if document is None:
        logger.error("The document of credential %s is missing from storage", credential.pk)
        raise Http404(_("This document cannot be found. The volunteer may need to upload it again."))
    logger.info("User %s downloaded the document of credential %s", request.user.pk, credential.pk)
    response = FileResponse(
        document.file, as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
