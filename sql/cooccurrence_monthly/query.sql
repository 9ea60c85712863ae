-- Is the word about the thing itself or about goods made from it? Top co-occurring terms per anchor × place.
-- set variable month = '2026-01'; set variable top_n = 10;
-- variable top_n integer rows per group, e.g. 10
with cooccurrence as (

    select * from cooccurrence_monthly_v1
    where month = getvariable('month')
      and pref_code != '00'

),

ranked as (

    select
        c.anchor_term,
        c.pref_code,
        c.co_term,
        c.posts,
        c.lift,
        c.anchor_posts,
        c.derived_share,
        row_number() over (
            partition by c.anchor_term, c.pref_code order by c.posts desc, c.lift desc, c.co_term
        ) as co_rank
    from cooccurrence as c

),

final as (

    select * from ranked
    where co_rank <= getvariable('top_n')

)

select * from final
order by anchor_term, pref_code, co_rank
