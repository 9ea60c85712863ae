-- Posts per leaflet category for one prefecture over a date range, with each subcategory's share.
-- set variable pref_code = '41'; set variable dt_from = '2026-01-01'; set variable dt_to = '2026-01-14';
with category_daily as (

    select * from category_daily_v1
    where pref_code = getvariable('pref_code')
      and dt between getvariable('dt_from') and getvariable('dt_to')

),

totals as (

    select
        cd.category,
        cd.subcategory,
        sum(cd.posts) as posts
    from category_daily as cd
    group by cd.category, cd.subcategory

),

final as (

    select
        t.category,
        t.subcategory,
        t.posts,
        round(t.posts / sum(t.posts) over (), 4) as share_of_matches
    from totals as t

)

select * from final
order by posts desc, category, subcategory
