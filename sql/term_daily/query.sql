-- Top terms per prefecture for one date (the demo's closing table).
-- Grain of the source table: one row per dt × pref_code × term × lemma × pos.
-- Set the date first:  set variable dt = '2026-01-14';
-- variable top_n integer rows per group, e.g. 10
with term_daily as (

    select * from term_daily_v1
    where dt = getvariable('dt')

),

prefectures as (

    select * from prefectures

),

ranked as (

    select
        td.pref_code,
        td.term,
        td.lemma,
        td.pos,
        td.posts,
        td.occurrences,
        row_number() over (
            partition by td.pref_code
            order by td.posts desc, td.occurrences desc, td.term
        ) as term_rank
    from term_daily as td

),

final as (

    select
        r.pref_code,
        coalesce(p.pref_name, 'all Japan') as pref_name,
        r.term_rank,
        r.term,
        r.lemma,
        r.pos,
        r.posts,
        r.occurrences
    from ranked as r
    left join prefectures as p
        on r.pref_code = p.pref_code
    where r.term_rank <= getvariable('top_n')

)

select * from final
order by pref_code, term_rank
