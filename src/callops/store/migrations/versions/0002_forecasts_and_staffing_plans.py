"""forecasts and staffing plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 06:36:06.931573
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import callops.store.types

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forecasts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('grain_min', sa.Integer(), nullable=False),
    sa.Column('model', sa.String(length=80), nullable=False),
    sa.Column('accuracy', sa.JSON(), nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('tz', sa.String(length=60), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forecasts')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_forecasts_name_version'))
    )
    op.create_table('forecast_points',
    sa.Column('forecast_id', sa.BigInteger(), nullable=False),
    sa.Column('interval_start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('calls', sa.Float(), nullable=False),
    sa.Column('lo', sa.Float(), nullable=True),
    sa.Column('hi', sa.Float(), nullable=True),
    sa.Column('aht_s', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecasts.id'], name=op.f('fk_forecast_points_forecast_id_forecasts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('forecast_id', 'interval_start_at', name=op.f('pk_forecast_points'))
    )
    op.create_table('staffing_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('created_by', sa.String(length=80), nullable=True),
    sa.Column('forecast_id', sa.BigInteger(), nullable=True),
    sa.Column('queue', sa.String(length=80), nullable=True),
    sa.Column('interval_min', sa.Integer(), nullable=False),
    sa.Column('targets', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['forecast_id'], ['forecasts.id'], name=op.f('fk_staffing_plans_forecast_id_forecasts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staffing_plans')),
    sa.UniqueConstraint('name', 'version', name=op.f('uq_staffing_plans_name_version'))
    )
    op.create_table('staffing_plan_intervals',
    sa.Column('plan_id', sa.BigInteger(), nullable=False),
    sa.Column('interval_start_at', callops.store.types.EpochMillis(), nullable=False),
    sa.Column('calls', sa.Float(), nullable=False),
    sa.Column('aht_s', sa.Float(), nullable=False),
    sa.Column('agents', sa.Integer(), nullable=False),
    sa.Column('scheduled', sa.Integer(), nullable=False),
    sa.Column('service_level', sa.Float(), nullable=False),
    sa.Column('asa_s', sa.Float(), nullable=False),
    sa.Column('p_abandon', sa.Float(), nullable=False),
    sa.Column('occupancy', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['staffing_plans.id'], name=op.f('fk_staffing_plan_intervals_plan_id_staffing_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('plan_id', 'interval_start_at', name=op.f('pk_staffing_plan_intervals'))
    )


def downgrade() -> None:
    op.drop_table('staffing_plan_intervals')
    op.drop_table('staffing_plans')
    op.drop_table('forecast_points')
    op.drop_table('forecasts')
