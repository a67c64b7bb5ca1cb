from django.urls import path

from herald_web.audio import speakertest, views

app_name = "audio"
urlpatterns = [
    path("audio/", views.index, name="index"),
    path("audio/settings/", views.save_settings, name="settings"),
    path("audio/clips/", views.upload, name="upload"),
    path("audio/clips/stop/", views.stop, name="stop"),
    path("audio/clips/<clip_id>/play/", views.play, name="play"),
    path("audio/clips/<clip_id>/rename/", views.rename, name="rename"),
    path("audio/clips/<clip_id>/delete/", views.delete, name="delete"),
    path("audio/clips/<clip_id>/download/", views.download, name="download"),
    path("audio/listen/", views.listen, name="listen"),
    path("speaker-test/", speakertest.index, name="speaker_test"),
    path("speaker-test/calibrate/", speakertest.calibrate, name="speaker_test_calibrate"),
    path("speaker-test/test/", speakertest.run_test, name="speaker_test_run"),
    path("speaker-test/progress/", speakertest.progress, name="speaker_test_progress"),
]
