from django.db import migrations

from prm.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("ltvrun"),
        EnableRowLevelSecurity("segmentfit"),
        EnableRowLevelSecurity("customervalue"),
        EnableRowLevelSecurity("partnerltv"),
        EnableRowLevelSecurity("partnerltvsnapshot"),
        EnableRowLevelSecurity("tenantltvsnapshot"),
    ]
