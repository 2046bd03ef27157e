"""Managers edit the promise rules of the teams they manage (every team with the office-wide permission
EDIT_ALL_TEAM_RULES) and the phone-duty roster on these pages. Each change goes into the admin log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.roles import MANAGE_OFFICE, TAKE_MESSAGES
from accounts.selectors import teams_rules_editable_by
from callbacks.forms.policies import ClosureDayForm, PhoneDutyForm, TeamPolicyForm
from callbacks.models import (
    DEFAULT_CHECK_MOMENTS,
    CallType,
    CheckMoment,
    ClosureDay,
    HandlingPolicy,
    OpeningHours,
    PhoneDuty,
)
from callbacks.selectors.policies import DEFAULT_HANDLING_MINUTES, DEFAULT_HOURS, team_settings
from callbacks.services import policies as policy_services


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):
        raise Http404


@login_required
def policy_index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    teams = teams_rules_editable_by(user=request.user).order_by("name")
    return render(request, "callbacks/dashboard/policies.html", {"teams": teams})


def _policy_initial(team: Team) -> dict:
    hours = {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.filter(team=team)} or DEFAULT_HOURS
    handling = {**DEFAULT_HANDLING_MINUTES, **dict(
        HandlingPolicy.objects.filter(team=team).values_list("call_type", "business_minutes")
    )}
    settings_row = team_settings(team)
    moments = list(CheckMoment.objects.filter(team=team).values_list("at", flat=True)) or DEFAULT_CHECK_MOMENTS
    initial = {
        "observed_holidays": settings_row.observed_holidays,
        "escalation_minutes": settings_row.escalation_business_minutes,
        "hold_email_outside_hours": settings_row.hold_email_outside_hours,
        "check_moments": ", ".join(moment.strftime("%H:%M") for moment in moments),
    }
    for weekday in range(7):
        if weekday in hours:
            initial.update({f"open_{weekday}": True, f"opens_{weekday}": hours[weekday][0],
                            f"closes_{weekday}": hours[weekday][1]})
    for value, _label in CallType.choices:
        initial[f"handling_{value}"] = handling.get(value)
    return initial


@login_required
def team_policy(request: HttpRequest, team_id: int) -> HttpResponse:
    _require_manager(request)
    team = get_object_or_404(teams_rules_editable_by(user=request.user), pk=team_id)  # another team: 404
    form = TeamPolicyForm(initial=_policy_initial(team))
    closure_form = ClosureDayForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rules":
            form = TeamPolicyForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                policy_services.team_policy_save(
                    team=team, hours=data["hours"], observed_holidays=data["observed_holidays"],
                    handling=data["handling"], escalation_minutes=data["escalation_minutes"],
                    hold_email_outside_hours=data["hold_email_outside_hours"], check_moments=data["check_moments"],
                )
                policy_services.team_rules_change_log(by=request.user, team=team)
                messages.success(request, _("The rules of %(team)s were saved. They apply to messages taken from now "
                                            "on.") % {"team": team.name})
                return redirect("dashboard:team_policy", team_id=team.pk)
        elif action == "add_closure":
            closure_form = ClosureDayForm(request.POST)
            if closure_form.is_valid():
                added = policy_services.closure_day_add(team=team, day=closure_form.cleaned_data["date"],
                                                        description=closure_form.cleaned_data["description"].strip())
                policy_services.team_rules_change_log(by=request.user, team=team, added=added)
                messages.success(request, _("Closure day saved."))
                return redirect("dashboard:team_policy", team_id=team.pk)
        elif action == "remove_closure":
            try:
                closure_id = int(request.POST.get("closure", ""))
            except ValueError:
                closure_id = 0
            removed = policy_services.closure_day_remove(team=team, closure_id=closure_id)
            if removed is not None:
                policy_services.team_rules_change_log(by=request.user, team=team, removed=removed)
            messages.success(request, _("Closure day removed."))
            return redirect("dashboard:team_policy", team_id=team.pk)
    return render(request, "callbacks/dashboard/team_policy.html", {
        "team": team, "form": form, "closure_form": closure_form,
        "closures": ClosureDay.objects.filter(team=team).order_by("date"),
    })


def _phone_people() -> list[User]:
    return list(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions__codename=TAKE_MESSAGES) | Q(user_permissions__codename=TAKE_MESSAGES))
        .distinct()
        .order_by("full_name")
    )


@login_required
def phone_duty(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    people = _phone_people()
    if request.method == "POST":
        form = PhoneDutyForm(request.POST, people=people)
        if form.is_valid():
            policy_services.phone_duty_save(roster=form.roster())
            policy_services.phone_duty_change_log(by=request.user)
            messages.success(request, _("The phone-duty roster was saved."))
            return redirect("dashboard:phone_duty")
    else:
        initial = {f"duty_{row.weekday}_{row.day_part}": str(row.user_id) for row in PhoneDuty.objects.all()}
        form = PhoneDutyForm(initial=initial, people=people)
    return render(request, "callbacks/dashboard/phone_duty.html", {"form": form})
