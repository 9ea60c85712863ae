-- "りんご × 青森" vs "牛乳 × 北海道": is the word about the thing itself or about goods made from it?
-- variables: month ('2026-01')
with anchors as (

    select distinct
        c.anchor_term,
        c.pref_code,
        c.anchor_posts,
        c.derived_share
    from cooccurrence_monthly_v1 as c
    where c.month = getvariable('month')
      and c.pref_code != '00'

),

top_co_terms as (

    select
        c.anchor_term,
        c.pref_code,
        string_agg(c.co_term, '、' order by c.posts desc, c.co_term) as co_terms
    from cooccurrence_monthly_v1 as c
    where c.month = getvariable('month')
      and c.pref_code != '00'
    group by c.anchor_term, c.pref_code

),

final as (

    select
        a.anchor_term,
        a.pref_code,
        a.anchor_posts,
        a.derived_share,
        case when a.derived_share >= 0.5 then 'derived goods' else 'the thing itself' end as mostly_about,
        t.co_terms
    from anchors as a
    inner join top_co_terms as t
        on a.anchor_term = t.anchor_term
        and a.pref_code = t.pref_code

)

select * from final
order by anchor_posts desc, anchor_term, pref_code
