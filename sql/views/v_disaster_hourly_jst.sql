-- disaster_hourly with the hour in JST (Asia/Tokyo, as the leaflet's users read it) beside the stored
-- UTC hour, and Japanese prefecture and municipality names.
create or replace view v_disaster_hourly_jst as
with disaster as (

    select * from disaster_hourly_v1

),

prefectures as (

    select * from prefectures

),

municipalities as (

    select * from municipalities

)

select
    d.hour as hour_utc,
    cast(timezone('Asia/Tokyo', cast(d.hour as timestamp) at time zone 'UTC') as timestamp) as hour_jst,
    d.pref_code,
    coalesce(p.pref_name, '全国') as pref_name,
    d.muni_code,
    m.muni_name,
    d.situation,
    d.posts,
    d.emotion_posts
from disaster as d
left join prefectures as p
    on d.pref_code = p.pref_code
left join municipalities as m
    on d.muni_code = m.muni_code
