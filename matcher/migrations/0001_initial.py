# Recommendation, MatchRound and RoundRanking move here from programmes with their rows: this migration only
# tells Django's state that they are ours, on the tables and indexes they already have (0002 renames them).

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('placements', '0001_initial'),
        ('programmes', '0005_programme_history'),
        ('volunteers', '0007_profile_name_title_consent_withdrawn'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='RoundRanking',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('volunteer_rank', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="volunteer's rank of the need")),
                        ('need_rank', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="need's rank of the volunteer")),
                        ('outcome', models.CharField(blank=True, choices=[('', 'Not run yet'), ('matched', 'Matched'), ('unmatched', 'Not matched')], default='', max_length=10, verbose_name='outcome')),
                        ('explanation', models.TextField(blank=True, verbose_name='explanation')),
                    ],
                    options={
                        'db_table': 'programmes_roundranking',
                        'verbose_name': 'round ranking',
                        'verbose_name_plural': 'round rankings',
                        'ordering': ['match_round', 'application__need', 'need_rank'],
                    },
                ),
                migrations.CreateModel(
                    name='MatchRound',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('ranking_deadline', models.DateTimeField(verbose_name='ranking deadline')),
                        ('status', models.CharField(choices=[('open', 'Open for ranking'), ('running', 'Running'), ('done', 'Done'), ('failed', 'Failed'), ('cancelled', 'Cancelled')], default='open', max_length=10, verbose_name='status')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='opened at')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                        ('progress', models.PositiveSmallIntegerField(default=0, validators=[django.core.validators.MaxValueValidator(100)], verbose_name='progress (%)')),
                        ('dry_run_at', models.DateTimeField(blank=True, null=True, verbose_name='last dry run at')),
                        ('dry_run_result', models.JSONField(blank=True, default=dict, verbose_name='last dry run')),
                        ('result', models.JSONField(blank=True, default=dict, verbose_name='result')),
                        ('error', models.CharField(blank=True, max_length=500, verbose_name='error')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='opened by')),
                        ('programme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='match_rounds', to='programmes.programme', verbose_name='programme')),
                    ],
                    options={
                        'db_table': 'programmes_matchround',
                        'verbose_name': 'match round',
                        'verbose_name_plural': 'match rounds',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='Recommendation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('score', models.FloatField(validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(100)], verbose_name='score')),
                        ('rank_for_volunteer', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="rank among the volunteer's needs")),
                        ('rank_for_need', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name="rank among the need's volunteers")),
                        ('factors', models.JSONField(blank=True, default=dict, verbose_name='contribution of each factor')),
                        ('computed_at', models.DateTimeField(verbose_name='computed at')),
                        ('need', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='programmes.need', verbose_name='need')),
                        ('volunteer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recommendations', to='volunteers.volunteerprofile', verbose_name='volunteer')),
                    ],
                    options={
                        'db_table': 'programmes_recommendation',
                        'verbose_name': 'recommendation',
                        'verbose_name_plural': 'recommendations',
                        'ordering': ['-score'],
                    },
                ),
                migrations.AddField(
                    model_name='roundranking',
                    name='application',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='round_rankings', to='placements.application', verbose_name='application'),
                ),
                migrations.AddField(
                    model_name='roundranking',
                    name='match_round',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='rankings', to='matcher.matchround', verbose_name='match round'),
                ),
                migrations.AddConstraint(
                    model_name='matchround',
                    constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['open', 'running'])), fields=('programme',), name='match_round_one_in_progress_per_programme', violation_error_message='This programme already has a match round in progress.'),
                ),
                migrations.AddIndex(
                    model_name='recommendation',
                    index=models.Index(fields=['volunteer', 'rank_for_volunteer'], name='programmes__volunte_97b7aa_idx'),
                ),
                migrations.AddIndex(
                    model_name='recommendation',
                    index=models.Index(fields=['need', 'rank_for_need'], name='programmes__need_id_4574ce_idx'),
                ),
                migrations.AddConstraint(
                    model_name='recommendation',
                    constraint=models.UniqueConstraint(fields=('volunteer', 'need'), name='recommendation_unique_pair'),
                ),
                migrations.AddConstraint(
                    model_name='roundranking',
                    constraint=models.UniqueConstraint(fields=('match_round', 'application'), name='round_ranking_unique_application'),
                ),
                migrations.AddConstraint(
                    model_name='roundranking',
                    constraint=models.CheckConstraint(condition=models.Q(('volunteer_rank__isnull', True), ('volunteer_rank__gte', 1), _connector='OR'), name='round_volunteer_rank_positive'),
                ),
                migrations.AddConstraint(
                    model_name='roundranking',
                    constraint=models.CheckConstraint(condition=models.Q(('need_rank__isnull', True), ('need_rank__gte', 1), _connector='OR'), name='round_need_rank_positive'),
                ),
    
            ],
            database_operations=[],
        ),
    ]
