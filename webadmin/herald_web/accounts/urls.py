from django.urls import path

from herald_web.accounts import views

app_name = "accounts"
urlpatterns = [
    path("setup/", views.setup, name="setup"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("system/accounts/", views.account_list, name="list"),
    path("system/accounts/anonymous/", views.anonymous, name="anonymous"),
    path("system/accounts/<str:name>/", views.account_update, name="update"),
    path("system/accounts/<str:name>/delete/", views.account_delete, name="delete"),
]
