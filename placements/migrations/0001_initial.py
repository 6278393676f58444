# Application, Placement, Feedback and HistoricalApplication move here from programmes with their rows: this
# migration only tells Django's state that they are ours, on the tables they already have (0002 renames them).

import django.contrib.postgres.fields.ranges
import django.core.validators
import django.db.models.deletion
import programmes.models
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('programmes', '0005_programme_history'),
        ('volunteers', '0007_profile_name_title_consent_withdrawn'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Application',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('message', models.TextField(blank=True, max_length=3000, verbose_name='message')),
                        ('proposed_start', models.DateField(blank=True, null=True, verbose_name='proposed start')),
                        ('proposed_end', models.DateField(blank=True, null=True, verbose_name='proposed end')),
                        ('status', models.CharField(choices=[('interested', 'Interested'), ('shortlisted', 'Shortlisted'), ('offered', 'Offered'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('completed', 'Completed')], default='interested', max_length=12, verbose_name='status')),
                        ('decline_reason', models.CharField(blank=True, help_text='The volunteer sees this reason.', max_length=500, verbose_name='reason for declining')),
                        ('coordinator_notes', models.TextField(blank=True, help_text="Seen only by the organisation's coordinators.", max_length=5000, verbose_name='internal notes')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='applied at')),
                        ('shortlisted_at', models.DateTimeField(blank=True, null=True, verbose_name='shortlisted at')),
                        ('offered_at', models.DateTimeField(blank=True, null=True, verbose_name='offered at')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                        ('declined_at', models.DateTimeField(blank=True, null=True, verbose_name='declined at')),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                        ('need', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='applications', to='programmes.need', verbose_name='need')),
                        ('volunteer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='applications', to='volunteers.volunteerprofile', verbose_name='volunteer')),
                    ],
                    options={
                        'db_table': 'programmes_application',
                        'verbose_name': 'application',
                        'verbose_name_plural': 'applications',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalApplication',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('proposed_start', models.DateField(blank=True, null=True, verbose_name='proposed start')),
                        ('proposed_end', models.DateField(blank=True, null=True, verbose_name='proposed end')),
                        ('status', models.CharField(choices=[('interested', 'Interested'), ('shortlisted', 'Shortlisted'), ('offered', 'Offered'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('withdrawn', 'Withdrawn'), ('completed', 'Completed')], default='interested', max_length=12, verbose_name='status')),
                        ('decline_reason', models.CharField(blank=True, help_text='The volunteer sees this reason.', max_length=500, verbose_name='reason for declining')),
                        ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='applied at')),
                        ('shortlisted_at', models.DateTimeField(blank=True, null=True, verbose_name='shortlisted at')),
                        ('offered_at', models.DateTimeField(blank=True, null=True, verbose_name='offered at')),
                        ('accepted_at', models.DateTimeField(blank=True, null=True, verbose_name='accepted at')),
                        ('declined_at', models.DateTimeField(blank=True, null=True, verbose_name='declined at')),
                        ('withdrawn_at', models.DateTimeField(blank=True, null=True, verbose_name='withdrawn at')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('need', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.need', verbose_name='need')),
                        ('volunteer', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='volunteers.volunteerprofile', verbose_name='volunteer')),
                    ],
                    options={
                        'db_table': 'programmes_historicalapplication',
                        'verbose_name': 'historical application',
                        'verbose_name_plural': 'historical applications',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='Placement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('mode', models.CharField(choices=[('onsite', 'On-site'), ('remote', 'Remote'), ('hybrid', 'Hybrid')], max_length=10, verbose_name='mode')),
                        ('start_date', models.DateField(verbose_name='start date')),
                        ('end_date', models.DateField(verbose_name='end date')),
                        ('hours_per_week', models.PositiveSmallIntegerField(default=0, verbose_name='hours per week (remote work)')),
                        ('completed_at', models.DateTimeField(blank=True, null=True, verbose_name='completed at')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                        ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='placement', to='placements.application', verbose_name='application')),
                        ('need', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='placements', to='programmes.need', verbose_name='need')),
                        ('volunteer', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='placements', to='volunteers.volunteerprofile', verbose_name='volunteer')),
                    ],
                    options={
                        'db_table': 'programmes_placement',
                        'verbose_name': 'placement',
                        'verbose_name_plural': 'placements',
                        'ordering': ['-start_date'],
                    },
                ),
                migrations.CreateModel(
                    name='Feedback',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('volunteer', 'From the volunteer'), ('organisation', 'From the organisation')], max_length=12, verbose_name='from')),
                        ('rating', models.PositiveSmallIntegerField(help_text='From 1 (poor) to 5 (excellent).', validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='rating')),
                        ('comments', models.TextField(blank=True, max_length=3000, verbose_name='comments')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='given at')),
                        ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                        ('placement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='feedback', to='placements.placement', verbose_name='placement')),
                    ],
                    options={
                        'db_table': 'programmes_feedback',
                        'verbose_name': 'feedback',
                        'verbose_name_plural': 'feedback',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='application',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['interested', 'shortlisted', 'offered', 'accepted'])), fields=('need', 'volunteer'), name='application_one_active_per_need', violation_error_message='You already have an active application for this need.'),
                ),
                migrations.AddConstraint(
                    model_name='application',
                    constraint=models.CheckConstraint(condition=models.Q(('proposed_end__isnull', True), ('proposed_start__isnull', True), ('proposed_end__gte', models.F('proposed_start')), _connector='OR'), name='application_proposed_end_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='placement',
                    constraint=models.CheckConstraint(condition=models.Q(('end_date__gte', models.F('start_date'))), name='placement_end_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='placement',
                    constraint=programmes.models.PostgresExclusionConstraint(condition=models.Q(('completed_at__isnull', True), ('mode__in', ['onsite', 'hybrid']), ('volunteer__isnull', False)), expressions=[('volunteer', '='), (programmes.models.DateRange('start_date', 'end_date', django.contrib.postgres.fields.ranges.RangeBoundary(inclusive_lower=True, inclusive_upper=True)), '&&')], name='placement_no_onsite_overlap', violation_error_code='overlap', violation_error_message='This volunteer already has an accepted on-site placement on some of these dates.'),
                ),
                migrations.AddConstraint(
                    model_name='feedback',
                    constraint=models.UniqueConstraint(fields=('placement', 'side'), name='feedback_once_per_side'),
                ),
                migrations.AddConstraint(
                    model_name='feedback',
                    constraint=models.CheckConstraint(condition=models.Q(('rating__gte', 1), ('rating__lte', 5)), name='feedback_rating_1_to_5'),
                ),
    
            ],
            database_operations=[],
        ),
    ]
