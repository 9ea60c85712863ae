-- Canonical posts per prefecture and day over a period.
-- Grain of the source table: one row per dt × pref_code.
with pref_daily as (

    select * from pref_daily_v1
    where dt between getvariable('date_from') and getvariable('date_to')

),

prefectures as (

    select * from prefectures

),

final as (

    select
        pd.dt,
        pd.pref_code,
        coalesce(p.pref_name, '全国') as pref_name,
        pd.posts
    from pref_daily as pd
    left join prefectures as p
        on pd.pref_code = p.pref_code

)

select * from final
order by dt, pref_code
