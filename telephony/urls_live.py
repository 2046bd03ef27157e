"""The live fragments of every page (issue 18): the receptionist's call pop-up, the colleague's questions."""

from django.urls import path

from telephony.views import live

app_name = "phonelive"

urlpatterns = [
    path("offers/", live.offers_poll, name="offers"),
    path("offers/<int:pk>/take/", live.offer_take, name="offer_take"),
    path("offers/<int:pk>/dismiss/", live.offer_dismiss, name="offer_dismiss"),
    path("questions/", live.questions, name="questions"),
    path("questions/<int:pk>/tick-off/", live.question_tick_off, name="question_tick_off"),
    path("questions/<int:pk>/note/", live.question_note, name="question_note"),
    path("questions/<int:pk>/later/", live.question_later, name="question_later"),
]
