from django.db import migrations

from prm.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("revenue", "0001_initial")]

    operations = [
        EnableRowLevelSecurity("customer"),
        EnableRowLevelSecurity("referralcode"),
        EnableRowLevelSecurity("referralclick"),
        EnableRowLevelSecurity("deal"),
        EnableRowLevelSecurity("dealevent"),
        EnableRowLevelSecurity("conflictcase"),
        EnableRowLevelSecurity("importjob"),
        EnableRowLevelSecurity("revenueentry"),
        EnableRowLevelSecurity("attribution"),
        EnableRowLevelSecurity("partnercost"),
        EnableRowLevelSecurity("recomputemark"),
    ]
