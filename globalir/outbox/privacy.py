"""The task outbox's part of erasing an account (globalir.privacy): its queued tasks (a refresh of their
recommendations…) are cancelled and no longer name them."""

from globalir.accounts.models import User

from .services import tasks_cancel_for_user


def erase(user: User) -> None:
    tasks_cancel_for_user(user_id=user.pk)
