-- What is talked about together with our place? Top terms and leaflet categories over a period.
-- variables: pref_code ('41'), dt_from, dt_to
with terms as (

    select * from term_daily_v1
    where pref_code = getvariable('pref_code')
      and dt between getvariable('dt_from') and getvariable('dt_to')

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
