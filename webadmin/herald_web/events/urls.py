from django.urls import path

from herald_web.events import views

app_name = "events"
urlpatterns = [
    path("system/events/", views.rules, name="rules"),
    path("system/events/rules/", views.add, name="add"),
    path("system/events/rules/<rule_id>/", views.edit, name="edit"),
    path("system/events/rules/<rule_id>/switch/", views.switch, name="switch"),
    path("system/events/rules/<rule_id>/delete/", views.delete, name="delete"),
    path("system/events/manual-trigger/", views.manual_trigger, name="manual-trigger"),
    path("system/events/recipients/", views.add_recipient, name="add-recipient"),
    path("system/events/recipients/<recipient_id>/test/", views.test_recipient,
         name="test-recipient"),
    path("system/events/recipients/<recipient_id>/delete/", views.delete_recipient,
         name="delete-recipient"),
    path("system/events/schedules/", views.add_schedule, name="add-schedule"),
    path("system/events/schedules/<schedule_id>/delete/", views.delete_schedule,
         name="delete-schedule"),
]
