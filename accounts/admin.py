from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from accounts.configuration_cache import configuration_changed
from accounts.models import Absence, Team, User
from accounts.roles import Role
from accounts.selectors import groups_assignable_by, teams_rules_editable_by, users_administrable_by


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that those `may_read` allows can read in the admin and nobody can add, change or delete there."""

    def may_read(self, request) -> bool:
        raise NotImplementedError

    def has_module_permission(self, request) -> bool:
        return self.may_read(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return self.may_read(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ConfigurationAdmin(admin.ModelAdmin):
    """An admin whose saves change the office's configuration (accounts/configuration_cache.py): every
    process reads the new users, roles and teams on its next request."""

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)  # after the roles and members, not before
        configuration_changed()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        configuration_changed()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        configuration_changed()


def role_label(group: Group) -> str:
    """A role's name in the user's language (groups are stored under the Role values); a group made by
    hand keeps its own name."""
    try:
        return str(Role(group.name).label)
    except ValueError:
        return group.name


class RoleListFilter(admin.RelatedFieldListFilter):
    """The user list's "by group" filter, with the roles' translated names."""

    def field_choices(self, field, request, model_admin):
        return [(group.pk, role_label(group)) for group in Group.objects.order_by("name")]


# django.contrib.auth.admin registered Group with its own admin on import; ours shows the roles' names.
admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(BaseGroupAdmin):
    list_display = ("role",)

    @admin.display(description=_("role"), ordering="name")
    def role(self, group: Group) -> str:
        return role_label(group)

    def action_checkbox(self, obj: Group):
        """The row's checkbox, labelled with the role's translated name, not the stored one."""
        # The widget's template escapes the label; nothing here is marked safe.
        label = str(_("Select this object for an action - {}")).format(role_label(obj))
        checkbox = forms.CheckboxInput({"class": "action-select", "aria-label": label}, lambda value: False)
        return checkbox.render(helpers.ACTION_CHECKBOX_NAME, str(obj.pk))


class TerugbelUserChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class TerugbelUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "email")


@admin.register(User)
class UserAdmin(ConfigurationAdmin, BaseUserAdmin):
    form = TerugbelUserChangeForm
    add_form = TerugbelUserCreationForm
    list_display = ("username", "full_name", "email", "phone_extension", "is_active")
    list_filter = (("groups", RoleListFilter), "is_active", "teams")
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
        if not request.user.is_superuser:
            # Managers assign roles; only a superuser hands out technical rights.
            fieldsets = tuple(fs for fs in fieldsets if fs[0] != _("Technical access"))
        return fieldsets

    # Rights cannot be climbed (docs/SECURITY.md): a non-superuser never sees, changes, deletes or sets the
    # password of a staff or superuser account or one holding a permission they lack, and hands out only
    # roles whose permissions they hold themselves.
    def get_queryset(self, request):
        administrable = users_administrable_by(user=request.user).values("pk")
        return super().get_queryset(request).filter(pk__in=administrable)

    def get_object(self, request, object_id, from_field=None):
        user = super().get_object(request, object_id, from_field)
        if user is None:  # absent or out of reach (the password page too): the same answer, so nothing leaks
            raise Http404
        return user

    def _within_reach(self, request, obj) -> bool:
        return obj is None or users_administrable_by(user=request.user).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._within_reach(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._within_reach(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._within_reach(request, obj)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name != "groups":
            return super().formfield_for_manytomany(db_field, request, **kwargs)
        kwargs["queryset"] = groups_assignable_by(user=request.user)
        field = super().formfield_for_manytomany(db_field, request, **kwargs)
        field.label_from_instance = role_label
        return field


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
class TeamAdmin(ConfigurationAdmin):
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

    # A manager changes the teams they manage (else they could make themselves manager of any team and edit
    # its promise rules); the office-wide permission changes all. Every team stays visible.
    def _editable(self, request, obj) -> bool:
        return obj is None or teams_rules_editable_by(user=request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._editable(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._editable(request, obj)


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ("user", "starts_at", "ends_at", "stand_in", "note")
    list_filter = (("user", admin.RelatedOnlyFieldListFilter),)  # the people in this manager's list only
    date_hierarchy = "starts_at"
    search_fields = ("user__full_name", "user__username", "note")
    autocomplete_fields = ("user", "stand_in")
    list_select_related = ("user", "stand_in")

    def get_queryset(self, request):
        """A manager sees and changes only the absences of accounts within reach (a stand-in gets their work)."""
        return super().get_queryset(request).filter(user__in=users_administrable_by(user=request.user))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = users_administrable_by(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(LogEntry)
class AdminLogAdmin(ReadOnlyAdmin):
    """Every change made in the admin and on the promise-rule pages, for the superuser's eyes only."""

    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "change_message", "user__username", "user__full_name")
    date_hierarchy = "action_time"
    list_select_related = ("user", "content_type")

    @admin.display(description=_("change message"))
    def change(self, entry: LogEntry) -> str:
        return entry.get_change_message()

    def may_read(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser
