"""Authentication backend: the standard one, loading the user's company with them
(every page needs it: time zone, scoping)."""

from django.contrib.auth.backends import ModelBackend

from org.models import User


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user = User._default_manager.select_related("company").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
