"""Invitations and requests to join a city; names are `invitations:<name>`."""

from django.urls import path

from invitations import views

app_name = "invitations"

urlpatterns = [
    path("cities/<id:pk>/invite/", views.city_invite, name="city_invite"),
    path("partnerships/<id:pk>/invite/", views.partnership_invite, name="partnership_invite"),
    path("invitations/<id:invitation_id>/resend/", views.resend, name="resend"),
    path("invitations/<id:invitation_id>/revoke/", views.revoke, name="revoke"),
    path("invitations/accept/<str:key>/", views.accept, name="accept"),
    path("join/", views.join, name="join"),
    path("join/<id:join_request_id>/decide/", views.join_decide, name="join_decide"),
]
