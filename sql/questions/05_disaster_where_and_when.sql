-- In an emergency: which situations are reported where, hour by hour (prefecture totals)?
-- variables: dt ('2026-01-10')
with disaster as (

    select * from disaster_hourly_v1
    where dt = getvariable('dt')
      and muni_code is null
      and pref_code != '00'

),

final as (

    select
        d.hour,
        d.pref_code,
        d.situation,
        d.posts,
        d.emotion_posts,
        sum(d.posts) over (
            partition by d.pref_code, d.situation order by d.hour
        ) as cumulative_posts
    from disaster as d

)

select * from final
order by hour, pref_code, situation
