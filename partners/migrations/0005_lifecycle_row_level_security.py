from django.db import migrations

from prm.rls import EnableRowLevelSecurity


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_lifecycle")]

    operations = [
        EnableRowLevelSecurity("segment"),
        EnableRowLevelSecurity("program"),
        EnableRowLevelSecurity("tier"),
        EnableRowLevelSecurity("partnersegment"),
        EnableRowLevelSecurity("stagechange"),
        EnableRowLevelSecurity("tierchange"),
        EnableRowLevelSecurity("acquisitioncost"),
        EnableRowLevelSecurity("checklisttemplate"),
        EnableRowLevelSecurity("checklisttemplateitem"),
        EnableRowLevelSecurity("checklistitem"),
        EnableRowLevelSecurity("training"),
        EnableRowLevelSecurity("trainingcompletion"),
        EnableRowLevelSecurity("questionnaire"),
        EnableRowLevelSecurity("question"),
        EnableRowLevelSecurity("assessment"),
        EnableRowLevelSecurity("answer"),
        EnableRowLevelSecurity("campaign"),
        EnableRowLevelSecurity("mdfrequest"),
        EnableRowLevelSecurity("idealprofile"),
        EnableRowLevelSecurity("profilecriterion"),
        EnableRowLevelSecurity("prospect"),
        EnableRowLevelSecurity("prospectsegment"),
    ]
