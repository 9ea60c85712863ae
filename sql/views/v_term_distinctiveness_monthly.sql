-- Distinctive terms per prefecture and month: how much more often a term is written about the
-- prefecture than nationwide. Definition (sql/views/README.md):
--   score = (posts with the term naming the prefecture / posts naming the prefecture)
--         / (posts with the term, all Japan / all posts)
-- place names excluded, and only terms in at least 5 of the prefecture's posts that month.
create or replace view v_term_distinctiveness_monthly as
with terms as (

    select
        left(dt, 7) as month,
        pref_code,
        term,
        bool_or(is_place_name) as is_place_name,
        sum(posts) as posts
    from v_term_daily_named
    group by left(dt, 7), pref_code, term

),

pref_posts as (

    select left(dt, 7) as month, pref_code, pref_name, sum(posts) as posts
    from v_pref_daily
    group by left(dt, 7), pref_code, pref_name

),

scored as (

    select
        t.month,
        t.pref_code,
        pp.pref_name,
        t.term,
        t.posts,
        pp.posts as pref_posts,
        n.posts as national_term_posts,
        np.posts as national_posts,
        t.posts / pp.posts as share_in_pref,
        n.posts / np.posts as share_nationwide,
        (t.posts / pp.posts) / (n.posts / np.posts) as distinctiveness
    from terms as t
    inner join pref_posts as pp
        on t.month = pp.month and t.pref_code = pp.pref_code
    inner join terms as n
        on t.month = n.month and t.term = n.term and n.pref_code = '00'
    inner join pref_posts as np
        on t.month = np.month and np.pref_code = '00'
    where t.pref_code != '00'
      and not coalesce(t.is_place_name, false)
      and t.posts >= 5

)

select
    *,
    row_number() over (
        partition by month, pref_code order by distinctiveness desc, posts desc, term
    ) as term_rank
from scored
