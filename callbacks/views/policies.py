"""Managers edit the promise rules of the teams they manage (every team with the office-wide permission
EDIT_ALL_TEAM_RULES) and the phone-duty roster on these pages. Each change goes into the admin log."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.roles import MANAGE_OFFICE
from accounts.selectors import teams_rules_editable_by
from callbacks.forms.policies import ClosureDayForm, PhoneDutyForm, TeamPolicyForm
from callbacks.selectors import policies as policy_selectors
from callbacks.services import policies as policy_services


def _require_manager(request: HttpRequest) -> None:
    if not request.user.has_perm(f"accounts.{MANAGE_OFFICE}"):
        raise Http404


@login_required
def policy_index(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    teams = teams_rules_editable_by(user=request.user).order_by("name")
    return render(request, "callbacks/dashboard/policies.html", {"teams": teams})


@login_required
def team_policy(request: HttpRequest, team_id: int) -> HttpResponse:
    _require_manager(request)
    team = get_object_or_404(teams_rules_editable_by(user=request.user), pk=team_id)  # another team: 404
    form = TeamPolicyForm(initial=policy_selectors.team_policy_initial(team=team))
    closure_form = ClosureDayForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rules":
            form = TeamPolicyForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                policy_services.team_policy_save(
                    team=team,
                    hours=data["hours"],
                    observed_holidays=data["observed_holidays"],
                    handling=data["handling"],
                    escalation_minutes=data["escalation_minutes"],
                    hold_email_outside_hours=data["hold_email_outside_hours"],
                    check_moments=data["check_moments"],
                )
                policy_services.team_rules_change_log(by=request.user, team=team)
                messages.success(
                    request,
                    _("The rules of %(team)s were saved. They apply to messages taken from now on.")
                    % {"team": team.name},
                )
                return redirect("dashboard:team_policy", team_id=team.pk)
        elif action == "add_closure":
            closure_form = ClosureDayForm(request.POST)
            if closure_form.is_valid():
                added = policy_services.closure_day_add(
                    team=team,
                    day=closure_form.cleaned_data["date"],
                    description=closure_form.cleaned_data["description"].strip(),
                )
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
    return render(
        request,
        "callbacks/dashboard/team_policy.html",
        {
            "team": team,
            "form": form,
            "closure_form": closure_form,
            "closures": policy_selectors.closure_days(team=team),
        },
    )


@login_required
def phone_duty(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    people = policy_selectors.phone_duty_candidates()
    if request.method == "POST":
        form = PhoneDutyForm(request.POST, people=people)
        if form.is_valid():
            policy_services.phone_duty_save(roster=form.roster())
            policy_services.phone_duty_change_log(by=request.user)
            messages.success(request, _("The phone-duty roster was saved."))
            return redirect("dashboard:phone_duty")
    else:
        form = PhoneDutyForm(initial=PhoneDutyForm.initial_for(policy_selectors.phone_duty_roster()), people=people)
    return render(request, "callbacks/dashboard/phone_duty.html", {"form": form})
