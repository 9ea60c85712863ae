-- What is written about each prefecture more than about Japan as a whole? Terms ranked by
-- distinctiveness over a period (definition: sql/views/README.md), place names left out.
-- variable dt_from text first JST date, YYYY-MM-DD
-- variable dt_to text last JST date, YYYY-MM-DD
-- variable min_posts integer minimum posts with the term in the prefecture, e.g. 5
-- variable top_n integer terms per prefecture, e.g. 5
with terms as (

    select
        pref_code,
        term,
        bool_or(is_place_name) as is_place_name,
        sum(posts) as posts
    from v_term_daily_named
    where dt between getvariable('dt_from') and getvariable('dt_to')
    group by pref_code, term

),

pref_posts as (

    select pref_code, pref_name, sum(posts) as posts
    from v_pref_daily
    where dt between getvariable('dt_from') and getvariable('dt_to')
    group by pref_code, pref_name

),

scored as (

    select
        t.pref_code,
        pp.pref_name,
        t.term,
        t.posts,
        pp.posts as pref_posts,
        n.posts as national_term_posts,
        np.posts as national_posts,
        (t.posts / pp.posts) / (n.posts / np.posts) as distinctiveness
    from terms as t
    inner join pref_posts as pp
        on t.pref_code = pp.pref_code
    inner join terms as n
        on t.term = n.term and n.pref_code = '00'
    cross join (select posts from pref_posts where pref_code = '00') as np
    where t.pref_code != '00'
      and not coalesce(t.is_place_name, false)
      and t.posts >= getvariable('min_posts')

),

ranked as (

    select
        *,
        row_number() over (
            partition by pref_code order by distinctiveness desc, posts desc, term
        ) as term_rank
    from scored

)

select * from ranked
where term_rank <= getvariable('top_n')
order by pref_code, term_rank
