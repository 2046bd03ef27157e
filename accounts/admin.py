from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Absence, Team, User


class TerugbelUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class TerugbelUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = TerugbelUserChangeForm
    add_form = TerugbelUserCreationForm
    list_display = ("username", "full_name", "email", "phone_extension", "is_active")
    list_filter = ("groups", "is_active", "teams")
    search_fields = ("username", "full_name", "email")
    ordering = ("full_name",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal details"), {"fields": ("full_name", "email", "phone_extension", "preferred_language")}),
        (_("Roles"), {"fields": ("is_active", "groups")}),
        (_("Technical access"), {"classes": ("collapse",), "fields": ("is_staff", "is_superuser", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "email", "password1", "password2")}),
    )
    filter_horizontal = ("groups", "user_permissions")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not request.user.is_superuser:
            # Managers assign roles; only a superuser hands out technical rights.
            fieldsets = tuple(fs for fs in fieldsets if fs[0] != _("Technical access"))
        return fieldsets


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "members", "managers"]

    def clean_managers(self):
        managers = self.cleaned_data["managers"]
        if not managers:
            raise forms.ValidationError(_("A team needs at least one manager."))
        return managers


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamForm
    list_display = ("name", "member_count")
    search_fields = ("name",)
    filter_horizontal = ("members", "managers")

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(member_total=Count("members", distinct=True))

    @admin.display(description=_("members"), ordering="member_total")
    def member_count(self, team: Team) -> int:
        return team.member_total


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("user", "starts_at", "ends_at", "stand_in", "note")
    list_filter = ("user",)
    date_hierarchy = "starts_at"
    search_fields = ("user__full_name", "user__username", "note")
    autocomplete_fields = ("user", "stand_in")
    list_select_related = ("user", "stand_in")
