from django.contrib.admin.apps import AdminConfig


class TerugbelAdminConfig(AdminConfig):
    default_site = "config.admin.TerugbelAdminSite"
