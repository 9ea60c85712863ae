-- "りんご × 青森" vs "牛乳 × 北海道": is the word about the thing itself or about goods made from it?
-- Co-terms are ranked by association (sql/cooccurrence_monthly/README.md): place names left out,
-- at least 3 posts, 2 · posts · ln(lift) first.
-- variable month text month YYYY-MM, e.g. '2026-01'
-- variable top_n integer co-terms listed per anchor × prefecture, e.g. 5
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
        r.anchor_term,
        r.pref_code,
        string_agg(r.co_term, '、' order by r.co_term_rank) as co_terms
    from v_cooccurrence_ranked as r
    where r.month = getvariable('month')
      and r.co_term_rank <= getvariable('top_n')
    group by r.anchor_term, r.pref_code

),

final as (

    select
        a.anchor_term,
        a.pref_code,
        p.pref_name,
        a.anchor_posts,
        a.derived_share,
        case when a.derived_share >= 0.5 then '加工品が中心' else 'そのものが中心' end as mostly_about,
        t.co_terms
    from anchors as a
    left join top_co_terms as t
        on a.anchor_term = t.anchor_term
        and a.pref_code = t.pref_code
    left join prefectures as p
        on a.pref_code = p.pref_code

)

select * from final
order by anchor_posts desc, anchor_term, pref_code
