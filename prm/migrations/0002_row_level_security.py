from django.db import migrations

from prm.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("prm", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("membership"),
        EnableRowLevelSecurity("auditevent"),
        EnableRowLevelSecurity("idempotencyrecord"),
    ]
