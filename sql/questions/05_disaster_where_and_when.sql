-- In an emergency: which situations are reported where, hour by hour (prefecture totals, JST hours)?
-- variable dt text JST date YYYY-MM-DD, e.g. '2026-01-10'
with disaster as (

    select * from v_disaster_hourly_jst
    where cast(hour_jst as date) = cast(getvariable('dt') as date)
      and muni_code is null
      and pref_code != '00'

),

final as (

    select
        d.hour_jst,
        d.pref_code,
        d.pref_name,
        d.situation,
        d.posts,
        d.emotion_posts,
        sum(d.posts) over (
            partition by d.pref_code, d.situation order by d.hour_jst
        ) as cumulative_posts
    from disaster as d

)

select * from final
order by hour_jst, pref_code, situation
