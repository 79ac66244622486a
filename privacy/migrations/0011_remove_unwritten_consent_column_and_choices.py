"""Remove what no code writes: the analytics column of a person (a browser's analytics choice is
logged against the anonymous visitor) and choices never recorded; reversible."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('privacy', '0010_fewer_redundant_indexes'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='person',
            name='consent_analytics',
        ),
        migrations.AlterField(
            model_name='consentrecord',
            name='method',
            field=models.CharField(choices=[('web_form', 'Web form'), ('api', 'API'), ('email_link', 'E-mail link'), ('request', 'Rights request'), ('cookie_banner', 'Cookie banner'), ('gpc', 'Global Privacy Control')], max_length=16, verbose_name='method'),
        ),
        migrations.AlterField(
            model_name='destruction',
            name='ground',
            field=models.CharField(choices=[('request', "The person's request for erasure"), ('withdrawal', 'Withdrawal of the consent to processing')], max_length=16, verbose_name='ground'),
        ),
        migrations.AlterField(
            model_name='suppression',
            name='reason',
            field=models.CharField(choices=[('bounced', 'Bounced'), ('complained', 'Marked as spam'), ('unsubscribed', 'Unsubscribed at the e-mail provider'), ('rejected', 'Rejected by the e-mail provider')], max_length=16, verbose_name='reason'),
        ),
    ]
