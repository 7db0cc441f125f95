from django.db import migrations

from prm.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("partners", "0002_initial")]

    operations = [EnableRowLevelSecurity("partner")]
