-- What is talked about together with our place? Top terms (place names left out) and leaflet
-- categories over a period.
-- variable pref_code text prefecture code, e.g. '41'
-- variable dt_from text first JST date, YYYY-MM-DD
-- variable dt_to text last JST date, YYYY-MM-DD
with terms as (

    select * from v_term_daily_named
    where pref_code = getvariable('pref_code')
      and dt between getvariable('dt_from') and getvariable('dt_to')
      and not coalesce(is_place_name, false)

),

categories as (

    select * from category_daily_v1
    where pref_code = getvariable('pref_code')
      and dt between getvariable('dt_from') and getvariable('dt_to')

),

top_terms as (

    select
        'term' as kind,
        t.term as label,
        sum(t.posts) as posts
    from terms as t
    group by t.term
    order by posts desc, label
    limit 15

),

top_categories as (

    select
        'category' as kind,
        c.category || '/' || c.subcategory as label,
        sum(c.posts) as posts
    from categories as c
    group by c.category, c.subcategory

),

final as (

    select * from top_terms
    union all
    select * from top_categories

)

select * from final
order by kind desc, posts desc, label
