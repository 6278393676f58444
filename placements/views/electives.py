"""The on-site supervisor's page: the electives they supervise and their students."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from ..electives import electives_supervised_by


@login_required
@require_safe
def elective_students(request):
    # Only the signed-in user's own electives: anyone else sees an empty page, never another's students.
    return render(
        request, "placements/electives/students.html", {"electives": electives_supervised_by(user=request.user)}
    )
