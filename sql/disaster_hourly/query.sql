-- Where is it happening now: situation posts per municipality over the last hours of one day.
-- set variable dt = '2026-01-10';
with disaster_hourly as (

    select * from disaster_hourly_v1
    where dt = getvariable('dt')

),

municipal as (

    select
        dh.hour,
        dh.pref_code,
        dh.muni_code,
        dh.situation,
        dh.posts,
        dh.emotion_posts
    from disaster_hourly as dh
    where dh.muni_code is not null

),

final as (

    select
        m.muni_code,
        m.situation,
        min(m.hour) as first_hour_utc,
        max(m.hour) as last_hour_utc,
        sum(m.posts) as posts,
        sum(m.emotion_posts) as emotion_posts
    from municipal as m
    group by m.muni_code, m.situation

)

select * from final
order by posts desc, muni_code, situation
