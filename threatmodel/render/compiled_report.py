"""The shipped template report.html.j2 compiled by Jinja (generated: do not edit).

Rebuild with `make templates` after changing the template or the HTML environment's settings;
see threatmodel/render/template_cache.py.
"""
# fmt: off
# ruff: noqa
# mypy: ignore-errors
STAMP = '1b419cb18d0427335109ac912da43d8066b7be25c33c9a43a75a19c9f8305c9e'
from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'report.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_data = resolve('data')
    l_0_css = resolve('css')
    l_0_js = resolve('js')
    l_0_s = l_0_summary = l_0_finding = missing
    try:
        t_1 = environment.filters['change']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'change' found.")
    try:
        t_2 = environment.filters['count']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'count' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['num']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'num' found.")
    try:
        t_6 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_7 = environment.filters['truncate']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No filter named 'truncate' found.")
    try:
        t_8 = environment.filters['value']
    except KeyError:
        @internalcode
        def t_8(*unused):
            raise TemplateRuntimeError("No filter named 'value' found.")
    pass
    l_0_s = environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'system')
    context.vars['s'] = l_0_s
    context.exported_vars.add('s')
    l_0_summary = environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'summary')
    context.vars['summary'] = l_0_summary
    context.exported_vars.add('summary')
    def macro(l_1_f, l_1_repeat):
        t_9 = []
        l_1_flow_numbers = resolve('flow_numbers')
        l_1_d = resolve('d')
        l_1_h = l_1_fw = missing
        if l_1_f is missing:
            l_1_f = undefined("parameter 'f' was not provided", name='f')
        if l_1_repeat is missing:
            l_1_repeat = ''
        pass
        t_9.extend((
            '<article class="finding sev-',
            escape(environment.finalize(environment.getattr(l_1_f, 'severity'))),
            escape(environment.finalize((' closed' if (not environment.getattr(l_1_f, 'open')) else cond_expr_undefined("the inline if-expression on line 8 in 'report.html.j2' evaluated to false and no else section was defined.")))),
            escape(environment.finalize((' repeat' if l_1_repeat else cond_expr_undefined("the inline if-expression on line 8 in 'report.html.j2' evaluated to false and no else section was defined.")))),
            escape(environment.finalize((' same-advice' if (l_1_repeat == 'advice') else cond_expr_undefined("the inline if-expression on line 8 in 'report.html.j2' evaluated to false and no else section was defined.")))),
            '" id="finding-',
            escape(environment.finalize(environment.getattr(l_1_f, 'id'))),
            '" data-severity="',
            escape(environment.finalize(environment.getattr(l_1_f, 'severity'))),
            '" data-open="',
            escape(environment.finalize(('true' if environment.getattr(l_1_f, 'open') else 'false'))),
            '" data-element="',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'element'), 'id'))),
            '">\n<header><span class="badge sev">',
            escape(environment.finalize(environment.getattr(l_1_f, 'severity'))),
            '</span><h4>',
            escape(environment.finalize(environment.getattr(l_1_f, 'title'))),
            '</h4>\n',
        ))
        if (environment.getattr(l_1_f, 'decision') and environment.getattr(environment.getattr(l_1_f, 'decision'), 'expired')):
            pass
            t_9.extend((
                '<span class="badge review review-expired">',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'decision'), 'recorded_status'))),
                ' expired</span>',
            ))
        elif environment.getattr(l_1_f, 'decision'):
            pass
            t_9.extend((
                '<span class="badge review review-',
                escape(environment.finalize(environment.getattr(l_1_f, 'review_status'))),
                '">',
                escape(environment.finalize(environment.getattr(l_1_f, 'review_status'))),
                '</span>',
            ))
        t_9.extend((
            '<code class="id">',
            escape(environment.finalize(environment.getattr(l_1_f, 'id'))),
            '</code></header>\n',
        ))
        if environment.getattr(l_1_f, 'description'):
            pass
            t_9.extend((
                '<p class="per-risk">',
                escape(environment.finalize(environment.getattr(l_1_f, 'description'))),
                '</p>',
            ))
        if l_1_repeat:
            pass
            t_9.extend((
                '<p class="print-only muted">As at the first finding of <code>',
                escape(environment.finalize(environment.getattr(l_1_f, 'risk_id'))),
                '</code>: description, frameworks, references',
                escape(environment.finalize((' and recommended mitigations' if (l_1_repeat == 'advice') else cond_expr_undefined("the inline if-expression on line 12 in 'report.html.j2' evaluated to false and no else section was defined.")))),
                '.</p>',
            ))
        t_9.append(
            '<dl class="facts">\n<dt>Element</dt><dd>',
        )
        if (environment.getattr(environment.getattr(l_1_f, 'element'), 'id') in (undefined(name='flow_numbers') if l_1_flow_numbers is missing else l_1_flow_numbers)):
            pass
            t_9.extend((
                '<b>',
                escape(environment.finalize(environment.getitem((undefined(name='flow_numbers') if l_1_flow_numbers is missing else l_1_flow_numbers), environment.getattr(environment.getattr(l_1_f, 'element'), 'id')))),
                '</b> ',
            ))
        t_9.extend((
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'element'), 'name'))),
            ' <span class="muted">(',
            escape(environment.finalize(t_6(context.eval_ctx, environment.getattr(environment.getattr(l_1_f, 'element'), 'kind'), '_', ' '))),
            ' <code>',
            escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'element'), 'id'))),
            '</code>',
        ))
        if environment.getattr(environment.getattr(l_1_f, 'element'), 'line'):
            pass
            t_9.extend((
                '<span class="screen-only">, ',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'element'), 'file'))),
                '</span> line ',
                escape(environment.finalize(environment.getattr(environment.getattr(l_1_f, 'element'), 'line'))),
            ))
        t_9.append(
            ')</span></dd>\n<dt>Why it fired</dt><dd>',
        )
        if environment.getattr(l_1_f, 'evidence'):
            pass
            l_2_loop = missing
            for l_2_e, l_2_loop in LoopContext(environment.getattr(l_1_f, 'evidence'), undefined):
                l_2_print_cut = resolve('print_cut')
                l_2_v = missing
                _loop_vars = {}
                pass
                l_2_v = t_8(environment.getattr(l_2_e, 'value'))
                _loop_vars['v'] = l_2_v
                t_9.extend((
                    '<code>',
                    escape(environment.finalize(environment.getattr(l_2_e, 'name'))),
                    '</code> = ',
                ))
                if (t_4((undefined(name='v') if l_2_v is missing else l_2_v)) > (undefined(name='print_cut') if l_2_print_cut is missing else l_2_print_cut)):
                    pass
                    t_9.extend((
                        '<code class="screen-only">',
                        escape(environment.finalize((undefined(name='v') if l_2_v is missing else l_2_v))),
                        '</code><code class="print-only">',
                        escape(environment.finalize(t_7(environment, (undefined(name='v') if l_2_v is missing else l_2_v), (undefined(name='print_cut') if l_2_print_cut is missing else l_2_print_cut)))),
                        '</code>',
                    ))
                else:
                    pass
                    t_9.extend((
                        '<code>',
                        escape(environment.finalize((undefined(name='v') if l_2_v is missing else l_2_v))),
                        '</code>',
                    ))
                t_9.append(
                    escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 15 in 'report.html.j2' evaluated to false and no else section was defined.")))),
                )
            l_2_loop = l_2_e = l_2_v = l_2_print_cut = missing
        else:
            pass
            t_9.extend((
                'it applies to every ',
                escape(environment.finalize(t_6(context.eval_ctx, environment.getattr(environment.getattr(l_1_f, 'element'), 'kind'), '_', ' '))),
            ))
        t_9.extend((
            '</dd>\n<dt>Score</dt><dd>likelihood ',
            escape(environment.finalize(environment.getattr(l_1_f, 'likelihood'))),
            ' × impact ',
            escape(environment.finalize(environment.getattr(l_1_f, 'impact'))),
            ' = <b>',
            escape(environment.finalize(environment.getattr(l_1_f, 'score'))),
            '</b> <span class="muted">(catalog ',
            escape(environment.finalize(environment.getattr(l_1_f, 'base_likelihood'))),
            ' × ',
            escape(environment.finalize(environment.getattr(l_1_f, 'base_impact'))),
            ')</span>\n',
        ))
        if environment.getattr(l_1_f, 'modifiers'):
            pass
            t_9.append(
                '<ul>',
            )
            for l_2_m in environment.getattr(l_1_f, 'modifiers'):
                _loop_vars = {}
                pass
                t_9.extend((
                    '<li>',
                    escape(environment.finalize((environment.getattr(l_2_m, 'why') or 'modifier'))),
                    ': ',
                    escape(environment.finalize(t_1(l_2_m))),
                    ' <span class="muted screen-only">when <code>',
                    escape(environment.finalize(environment.getattr(l_2_m, 'condition'))),
                    '</code></span></li>',
                ))
            l_2_m = missing
            t_9.append(
                '</ul>',
            )
        t_9.append(
            '</dd>\n',
        )
        l_1_h = environment.getattr(l_1_f, 'harm')
        t_9.append(
            '<dt>Who is harmed</dt><dd>',
        )
        if environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'subjects'):
            pass
            t_9.extend((
                escape(environment.finalize(t_5(environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'subjects')))),
                ' people',
            ))
        else:
            pass
            t_9.append(
                'an unknown number of people',
            )
        if environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'data_assets'):
            pass
            t_9.extend((
                '<span class="screen-only">; data: ',
                escape(environment.finalize(t_3(context.eval_ctx, environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'data_assets'), ', '))),
            ))
            if environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'categories'):
                pass
                t_9.extend((
                    ' (',
                    escape(environment.finalize(t_3(context.eval_ctx, environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'categories'), ', '))),
                    ')',
                ))
            t_9.extend((
                '</span><span class="print-only">; ',
                escape(environment.finalize(t_2(t_4(environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'data_assets')), 'data asset'))),
                '</span>',
            ))
        if environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'special_categories'):
            pass
            t_9.extend((
                '; <b>special categories</b>: ',
                escape(environment.finalize(t_3(context.eval_ctx, environment.getattr((undefined(name='h') if l_1_h is missing else l_1_h), 'special_categories'), ', '))),
            ))
        t_9.append(
            '</dd>\n',
        )
        l_1_fw = environment.getattr(l_1_f, 'frameworks')
        if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'pram_problems'):
            pass
            t_9.extend((
                '<dt class="per-risk">Problems for people</dt><dd class="per-risk">',
                escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'pram_problems'), ', '))),
                ' <span class="muted">(NIST PRAM)</span></dd>',
            ))
        if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'solove'):
            pass
            t_9.extend((
                '<dt class="per-risk">Privacy harms</dt><dd class="per-risk">',
                escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'solove'), ', '))),
                ' <span class="muted">(Solove)</span></dd>',
            ))
        if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'pram'):
            pass
            t_9.extend((
                '<dt class="per-risk">Data actions</dt><dd class="per-risk">',
                escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'pram'), ', '))),
                ' <span class="muted">(NIST PRAM problematic data actions)</span></dd>',
            ))
        l_1_fw = environment.getattr(l_1_f, 'frameworks')
        if ((((context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun') or context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'stride')) or context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun_go')) or context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'cwe')) or context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'capec')):
            pass
            t_9.append(
                '<dt class="per-risk">Frameworks</dt><dd class="per-risk">\n',
            )
            if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun'):
                pass
                t_9.append(
                    'LINDDUN ',
                )
                l_2_loop = missing
                for l_2_i, l_2_loop in LoopContext(context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun'), undefined):
                    _loop_vars = {}
                    pass
                    t_9.extend((
                        '<code>',
                        escape(environment.finalize(l_2_i)),
                        '</code>',
                        escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 26 in 'report.html.j2' evaluated to false and no else section was defined.")))),
                    ))
                l_2_loop = l_2_i = missing
            if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun_go'):
                pass
                t_9.extend((
                    ' · LINDDUN GO ',
                    escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'linddun_go'), ', '))),
                ))
            if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'stride'):
                pass
                t_9.append(
                    ' · STRIDE ',
                )
                l_2_loop = missing
                for l_2_i, l_2_loop in LoopContext(context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'stride'), undefined):
                    l_2_stride_names = resolve('stride_names')
                    _loop_vars = {}
                    pass
                    t_9.append(
                        escape(environment.finalize(l_2_i)),
                    )
                    if environment.getitem((undefined(name='stride_names') if l_2_stride_names is missing else l_2_stride_names), l_2_i):
                        pass
                        t_9.extend((
                            ' (',
                            escape(environment.finalize(environment.getitem((undefined(name='stride_names') if l_2_stride_names is missing else l_2_stride_names), l_2_i))),
                            ')',
                        ))
                    t_9.append(
                        escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 28 in 'report.html.j2' evaluated to false and no else section was defined.")))),
                    )
                l_2_loop = l_2_i = l_2_stride_names = missing
            if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'cwe'):
                pass
                t_9.extend((
                    ' · ',
                    escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'cwe'), ', '))),
                ))
            if context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'capec'):
                pass
                t_9.extend((
                    ' · ',
                    escape(environment.finalize(t_3(context.eval_ctx, context.call(environment.getattr((undefined(name='fw') if l_1_fw is missing else l_1_fw), 'get'), 'capec'), ', '))),
                ))
            t_9.append(
                '</dd>',
            )
        if environment.getattr(l_1_f, 'recommended'):
            pass
            t_9.append(
                '<dt class="advice">Recommended</dt><dd class="advice"><ul>',
            )
            for l_2_m in environment.getattr(l_1_f, 'recommended'):
                _loop_vars = {}
                pass
                t_9.extend((
                    '<li><span class="check">☐</span> ',
                    escape(environment.finalize(environment.getattr(l_2_m, 'title'))),
                    ' <code>',
                    escape(environment.finalize(environment.getattr(l_2_m, 'mitigation'))),
                    '</code> <span class="muted">',
                    escape(environment.finalize(t_1(l_2_m))),
                    '</span></li>',
                ))
            l_2_m = missing
            t_9.append(
                '</ul></dd>',
            )
        if environment.getattr(l_1_f, 'controls'):
            pass
            t_9.append(
                '<dt>Already in place</dt><dd><ul>',
            )
            for l_2_c in environment.getattr(l_1_f, 'controls'):
                _loop_vars = {}
                pass
                t_9.extend((
                    '<li><span class="check">☑</span> ',
                    escape(environment.finalize(environment.getattr(l_2_c, 'title'))),
                    ' <code>',
                    escape(environment.finalize(environment.getattr(l_2_c, 'mitigation'))),
                    '</code> <span class="muted">',
                    escape(environment.finalize(t_1(l_2_c))),
                ))
                if environment.getattr(l_2_c, 'note'):
                    pass
                    t_9.extend((
                        '; ',
                        escape(environment.finalize(environment.getattr(l_2_c, 'note'))),
                    ))
                t_9.append(
                    '</span></li>',
                )
            l_2_c = missing
            t_9.append(
                '</ul></dd>',
            )
        if environment.getattr(l_1_f, 'references'):
            pass
            t_9.append(
                '<dt class="per-risk">References</dt><dd class="per-risk">',
            )
            l_2_loop = missing
            for l_2_rid, l_2_loop in LoopContext(environment.getattr(l_1_f, 'references'), undefined):
                l_2_notes = resolve('notes')
                _loop_vars = {}
                pass
                t_9.extend((
                    '<a class="note-ref" href="#ref-',
                    escape(environment.finalize(environment.getitem((undefined(name='notes') if l_2_notes is missing else l_2_notes), l_2_rid))),
                    '">[',
                    escape(environment.finalize(environment.getitem((undefined(name='notes') if l_2_notes is missing else l_2_notes), l_2_rid))),
                    ']</a> ',
                    escape(environment.finalize(environment.getattr(environment.getitem(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'references'), l_2_rid), 'title'))),
                    escape(environment.finalize(('; ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 32 in 'report.html.j2' evaluated to false and no else section was defined.")))),
                ))
            l_2_loop = l_2_rid = l_2_notes = missing
            t_9.append(
                '</dd>',
            )
        if environment.getattr(l_1_f, 'decision'):
            pass
            l_1_d = environment.getattr(l_1_f, 'decision')
            t_9.extend((
                '<dt>Review decision</dt><dd class="decision"><b>',
                escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'recorded_status'))),
                '</b>',
            ))
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'expired'):
                pass
                t_9.extend((
                    ' <b>(expired ',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'expires'))),
                    '; open again)</b>',
                ))
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'owner'):
                pass
                t_9.extend((
                    ' by ',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'owner'))),
                ))
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'date'):
                pass
                t_9.extend((
                    ' on ',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'date'))),
                ))
            if (environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'expires') and (not environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'expired'))):
                pass
                t_9.extend((
                    ', until ',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'expires'))),
                ))
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'ticket'):
                pass
                t_9.extend((
                    '; ticket ',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'ticket'))),
                ))
            if environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'justification'):
                pass
                t_9.extend((
                    '<br>',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'justification'))),
                ))
            if (environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'key') != environment.getattr(l_1_f, 'id')):
                pass
                t_9.extend((
                    ' <span class="muted">(recorded for <code>',
                    escape(environment.finalize(environment.getattr((undefined(name='d') if l_1_d is missing else l_1_d), 'key'))),
                    '</code>)</span>',
                ))
            t_9.append(
                '</dd>',
            )
        t_9.append(
            '</dl>\n</article>\n',
        )
        return concat(t_9)
    context.exported_vars.add('finding')
    context.vars['finding'] = l_0_finding = Macro(environment, macro, 'finding', ('f', 'repeat'), False, False, False, context.eval_ctx.autoescape)
    yield '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
    yield from context.blocks['csp'][0](context)
    yield '\n<meta name="generator" content="threatmodel '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'tool'), 'version')))
    yield '">\n<title>'
    yield from context.blocks['title'][0](context)
    yield '</title>\n<style>'
    yield escape(environment.finalize((undefined(name='css') if l_0_css is missing else l_0_css)))
    yield '</style>\n'
    yield from context.blocks['head'][0](context)
    yield '</head>\n<body>\n'
    yield from context.blocks['header'][0](context)
    yield '\n<main>\n'
    yield from context.blocks['brief'][0](context)
    yield '\n'
    yield from context.blocks['toc'][0](context)
    yield '\n'
    yield from context.blocks['summary'][0](context)
    yield '\n'
    yield from context.blocks['concerns'][0](context)
    yield '\n'
    yield from context.blocks['matrix'][0](context)
    yield '\n'
    yield from context.blocks['diagram'][0](context)
    yield '\n'
    yield from context.blocks['findings'][0](context)
    yield '\n\n'
    yield from context.blocks['checklist'][0](context)
    yield '\n'
    yield from context.blocks['compliance'][0](context)
    yield '\n'
    yield from context.blocks['questions'][0](context)
    yield '\n'
    yield from context.blocks['references'][0](context)
    yield '\n'
    yield from context.blocks['appendix'][0](context)
    yield '</main>\n<footer>'
    yield from context.blocks['footer'][0](context)
    yield '</footer>\n<script>'
    yield escape(environment.finalize((undefined(name='js') if l_0_js is missing else l_0_js)))
    yield '</script>\n</body>\n</html>\n'

def block_csp(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_css_hash = resolve('css_hash')
    l_0_js_hash = resolve('js_hash')
    pass
    yield '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; img-src data:; style-src \''
    yield escape(environment.finalize((undefined(name='css_hash') if l_0_css_hash is missing else l_0_css_hash)))
    yield "'; script-src '"
    yield escape(environment.finalize((undefined(name='js_hash') if l_0_js_hash is missing else l_0_js_hash)))
    yield '\'; base-uri \'none\'; form-action \'none\'">'

def block_title(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_s = resolve('s')
    pass
    yield 'Threat model: '
    yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'name')))

def block_head(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass

def block_header(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_s = resolve('s')
    l_0_data = resolve('data')
    pass
    yield '<header>\n<h1>Threat model: '
    yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'name')))
    yield '</h1>\n<p class="muted">System <code>'
    yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'id')))
    yield '</code>'
    if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'owner'):
        pass
        yield ' · owner '
        yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'owner')))
    yield ' · model <code>'
    yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'file')))
    yield '</code> · threatmodel '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'tool'), 'version')))
    yield '</p>\n</header>\n'

def block_brief(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    l_0_s = resolve('s')
    l_0_people = resolve('people')
    l_0_summary = resolve('summary')
    l_0_brief_steps = resolve('brief_steps')
    l_0_plan = l_0_still_open = missing
    try:
        t_2 = environment.filters['count']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'count' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['num']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'num' found.")
    try:
        t_10 = environment.filters['sum']
    except KeyError:
        @internalcode
        def t_10(*unused):
            raise TemplateRuntimeError("No filter named 'sum' found.")
    try:
        t_7 = environment.filters['truncate']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No filter named 'truncate' found.")
    pass
    l_0_plan = environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'plan')
    _block_vars['plan'] = l_0_plan
    yield '<section id="brief" aria-labelledby="brief-title">\n<h2 id="brief-title" class="first">What to do</h2>\n<p class="lede">'
    if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'description'):
        pass
        yield escape(environment.finalize(t_7(environment, environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'description'), 260)))
        yield ' '
    if (undefined(name='people') if l_0_people is missing else l_0_people):
        pass
        yield 'Up to <b>'
        yield escape(environment.finalize(t_5((undefined(name='people') if l_0_people is missing else l_0_people))))
        yield ' people</b> are in its data'
        if environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'people_exposed'):
            pass
            yield '; one finding alone concerns '
            yield escape(environment.finalize(t_5(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'people_exposed'))))
        yield '.'
    yield '</p>\n<p class="bands"><b>'
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'concerns'), 'concern')))
    yield '</b> ('
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'findings'), 'finding')))
    yield '):\n'
    def t_11(fiter):
        for (l_1_severity, l_1_count) in fiter:
            if l_1_count:
                yield (l_1_severity, l_1_count)
    for (l_1_severity, l_1_count) in t_11(context.call(environment.getattr(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'concerns_by_severity'), 'items'), _block_vars=_block_vars)):
        _loop_vars = {}
        pass
        yield '<span class="badge sev-'
        yield escape(environment.finalize(l_1_severity))
        yield '">'
        yield escape(environment.finalize(t_5(l_1_count)))
        yield ' '
        yield escape(environment.finalize(l_1_severity))
        yield '</span> '
    l_1_severity = l_1_count = missing
    l_0_still_open = t_10(environment, context.call(environment.getattr(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'open_concerns_by_severity'), 'values'), _block_vars=_block_vars))
    _block_vars['still_open'] = l_0_still_open
    yield '<span class="muted">'
    yield escape(environment.finalize(t_5((undefined(name='still_open') if l_0_still_open is missing else l_0_still_open))))
    yield ' still open.</span></p>\n'
    if environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions'):
        pass
        yield '<p>The fewest mitigations that bring every open concern below <b>'
        yield escape(environment.finalize(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'target')))
        yield '</b> ('
        yield escape(environment.finalize(t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions'))))
        yield ' step'
        yield escape(environment.finalize(('s' if (t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) != 1) else cond_expr_undefined("the inline if-expression on line 67 in 'report.html.j2' evaluated to false and no else section was defined."))))
        yield '; now '
        def t_12(fiter):
            for (l_1_name, l_1_n) in fiter:
                if l_1_n:
                    yield (l_1_name, l_1_n)
        l_1_loop = missing
        for (l_1_name, l_1_n), l_1_loop in LoopContext(t_12(context.call(environment.getattr(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'before'), 'items'), _block_vars=_block_vars)), undefined):
            _loop_vars = {}
            pass
            yield escape(environment.finalize(l_1_n))
            yield ' '
            yield escape(environment.finalize(l_1_name))
            yield escape(environment.finalize((', ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 67 in 'report.html.j2' evaluated to false and no else section was defined."))))
        l_1_loop = l_1_name = l_1_n = missing
        yield '). First:</p>\n<ol class="steps">\n'
        l_1_loop = missing
        for l_1_a, l_1_loop in LoopContext(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')[:(undefined(name='brief_steps') if l_0_brief_steps is missing else l_0_brief_steps)], undefined):
            l_1_unchanged = resolve('unchanged')
            _loop_vars = {}
            pass
            yield '<li><b>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'title')))
            yield '</b> <span class="muted">on '
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_a, 'targets')[:3], ', ')))
            if (t_4(environment.getattr(l_1_a, 'targets')) > 3):
                pass
                yield ' and '
                yield escape(environment.finalize((t_4(environment.getattr(l_1_a, 'targets')) - 3)))
                yield ' more'
            yield '</span> → open after: '
            def t_13(fiter):
                for (l_2_name, l_2_n) in fiter:
                    if l_2_n:
                        yield (l_2_name, l_2_n)
            l_2_loop = missing
            t_14 = 1
            for (l_2_name, l_2_n), l_2_loop in LoopContext(t_13(context.call(environment.getattr(environment.getattr(l_1_a, 'after'), 'items'), _loop_vars=_loop_vars)), undefined):
                _loop_vars = {}
                pass
                yield escape(environment.finalize(l_2_n))
                yield ' '
                yield escape(environment.finalize(l_2_name))
                yield escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 69 in 'report.html.j2' evaluated to false and no else section was defined."))))
                t_14 = 0
            l_2_loop = l_2_name = l_2_n = missing
            if t_14:
                pass
                yield 'none'
            if (not environment.getattr(l_1_a, 'changes')):
                pass
                yield ' <span class="muted">('
                yield escape(environment.finalize((undefined(name='unchanged') if l_1_unchanged is missing else l_1_unchanged)))
                yield ')</span>'
            yield '</li>\n'
        l_1_loop = l_1_a = l_1_unchanged = missing
        yield '</ol>\n'
        if (t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) > (undefined(name='brief_steps') if l_0_brief_steps is missing else l_0_brief_steps)):
            pass
            yield '<p class="muted"><a href="#plan">The whole plan</a>: '
            yield escape(environment.finalize((t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) - (undefined(name='brief_steps') if l_0_brief_steps is missing else l_0_brief_steps))))
            yield ' more step'
            yield escape(environment.finalize(('s' if ((t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) - (undefined(name='brief_steps') if l_0_brief_steps is missing else l_0_brief_steps)) != 1) else cond_expr_undefined("the inline if-expression on line 72 in 'report.html.j2' evaluated to false and no else section was defined."))))
            yield '.</p>'
    elif (not environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')):
        pass
        yield '<p>No open concern is '
        yield escape(environment.finalize(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'target')))
        yield ' or worse: nothing must change before the design goes ahead.</p>'
    if environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining'):
        pass
        yield '<p><b>'
        yield escape(environment.finalize(t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining'))))
        yield ' concern'
        yield escape(environment.finalize(('s' if (t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')) != 1) else cond_expr_undefined("the inline if-expression on line 74 in 'report.html.j2' evaluated to false and no else section was defined."))))
        yield ' that no mitigation in the catalog brings below '
        yield escape(environment.finalize(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'target')))
        yield '</b>: '
        l_1_loop = missing
        for l_1_r, l_1_loop in LoopContext(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')[:3], undefined):
            _loop_vars = {}
            pass
            yield escape(environment.finalize(environment.getattr(l_1_r, 'title')))
            yield escape(environment.finalize(('; ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 74 in 'report.html.j2' evaluated to false and no else section was defined."))))
        l_1_loop = l_1_r = missing
        if (t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')) > 3):
            pass
            yield ' and '
            yield escape(environment.finalize((t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')) - 3)))
            yield ' more'
        yield ' (<a href="#plan">design changes</a>).</p>'
    yield '<p>'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions'):
        pass
        yield '<a href="#questions"><b>'
        yield escape(environment.finalize(t_2(t_4(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions')), 'question')))
        yield '</b> for the system owner</a>: the model is silent where the answer could confirm or rule out a risk'
        if environment.getitem(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions'), 0):
            pass
            yield ', first: “'
            yield escape(environment.finalize(environment.getattr(environment.getitem(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions'), 0), 'text')))
            yield '”'
        yield '.'
    else:
        pass
        yield 'No question for the system owner: the model says enough to decide every risk in scope.'
    yield '</p>\n</section>\n'

def block_toc(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    pass
    yield '<nav class="toc" aria-label="Contents"><ol>\n<li><a href="#summary">Summary and plan</a></li>\n<li><a href="#concerns">Concerns</a></li>\n<li><a href="#matrix">Risk matrix</a></li>\n<li><a href="#diagram">Data-flow diagram</a></li>\n<li><a href="#findings">Findings</a></li>\n<li><a href="#checklist">Mitigation checklist</a></li>\n<li><a href="#compliance">Compliance view</a></li>\n<li><a href="#questions">Questions for the system owner</a></li>\n<li><a href="#references">References</a></li>\n<li><a href="#appendix">Appendix: model</a></li>\n</ol></nav>\n'

def block_summary(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_s = resolve('s')
    l_0_data = resolve('data')
    l_0_summary = resolve('summary')
    l_0_plan = missing
    try:
        t_2 = environment.filters['count']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'count' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['num']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'num' found.")
    pass
    yield '<section id="summary">\n<h2>Summary</h2>\n'
    if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'description'):
        pass
        yield '<p class="lede">'
        yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'description')))
        yield '</p>'
    yield '<p>Scope: '
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'elements'), 'element')))
    yield ', '
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'flows'), 'flow')))
    yield ', '
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'boundaries'), 'boundary', 'boundaries')))
    yield ' and '
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'data_assets'), 'data asset')))
    yield ', checked against '
    yield escape(environment.finalize(t_2(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'catalog'), 'risks'), 'risk')))
    if environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'controls'):
        pass
        yield '; '
        yield escape(environment.finalize(t_4(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'controls'))))
        yield ' mitigation'
        yield escape(environment.finalize(('s' if (t_4(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'controls')) != 1) else cond_expr_undefined("the inline if-expression on line 98 in 'report.html.j2' evaluated to false and no else section was defined."))))
        yield ' already in place'
    yield '.</p>\n<p>'
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'concerns'), 'concern')))
    yield ' ('
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'findings'), 'finding')))
    yield ' grouped by root cause) and '
    yield escape(environment.finalize(t_2(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'questions'), 'open question')))
    yield ' for the system owner.</p>\n<div class="cards">\n'
    for (l_1_severity, l_1_count) in context.call(environment.getattr(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'concerns_by_severity'), 'items'), _block_vars=_block_vars):
        _loop_vars = {}
        pass
        yield '<div class="card sev-'
        yield escape(environment.finalize(l_1_severity))
        yield '"><span class="badge sev">'
        yield escape(environment.finalize(l_1_severity))
        yield '</span><b>'
        yield escape(environment.finalize(t_5(l_1_count)))
        yield '</b>'
        yield escape(environment.finalize(t_5(environment.getitem(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'open_concerns_by_severity'), l_1_severity))))
        yield ' open</div>\n'
    l_1_severity = l_1_count = missing
    yield '<div class="card"><span class="badge">questions</span><b>'
    yield escape(environment.finalize(t_5(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'questions'))))
    yield '</b>to answer</div>\n</div>\n<table class="status">\n<caption class="muted">Findings by review status</caption>\n<tr>'
    for l_1_status in environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'by_status'):
        _loop_vars = {}
        pass
        yield '<th class="num">'
        yield escape(environment.finalize(l_1_status))
        yield '</th>'
    l_1_status = missing
    yield '</tr>\n<tr>'
    for l_1_count in context.call(environment.getattr(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'by_status'), 'values'), _block_vars=_block_vars):
        _loop_vars = {}
        pass
        yield '<td class="num">'
        yield escape(environment.finalize(t_5(l_1_count)))
        yield '</td>'
    l_1_count = missing
    yield '</tr>\n</table>\n'
    if environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'expired_decisions'):
        pass
        yield '<p class="note">'
        yield escape(environment.finalize(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'expired_decisions')))
        yield ' review decision'
        yield escape(environment.finalize(('s' if (environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'expired_decisions') != 1) else cond_expr_undefined("the inline if-expression on line 111 in 'report.html.j2' evaluated to false and no else section was defined."))))
        yield ' expired; those findings are open again.</p>'
    if environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'people_exposed'):
        pass
        yield '<p>The largest group of people exposed by a single finding: <b>'
        yield escape(environment.finalize(t_5(environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'people_exposed'))))
        yield '</b>.</p>'
    l_0_plan = environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'plan')
    _block_vars['plan'] = l_0_plan
    yield '<h3 id="plan">Plan</h3>\n'
    if environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions'):
        pass
        yield '<p>The fewest mitigations that bring every open concern below '
        yield escape(environment.finalize(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'target')))
        yield ', most effective first; each row says how the open concerns stand once it and the rows above it are in place.</p>\n<table class="plan">\n<tr><th class="num">Step</th><th>Mitigation</th><th>On</th><th>Open concerns after</th><th class="num">People exposed</th></tr>\n<tr><td></td><td>(now)</td><td></td><td>'
        def t_15(fiter):
            for (l_1_name, l_1_n) in fiter:
                if l_1_n:
                    yield (l_1_name, l_1_n)
        l_1_loop = missing
        for (l_1_name, l_1_n), l_1_loop in LoopContext(t_15(context.call(environment.getattr(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'before'), 'items'), _block_vars=_block_vars)), undefined):
            _loop_vars = {}
            pass
            yield escape(environment.finalize(l_1_n))
            yield ' '
            yield escape(environment.finalize(l_1_name))
            yield escape(environment.finalize((', ' if (not environment.getattr(l_1_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 119 in 'report.html.j2' evaluated to false and no else section was defined."))))
        l_1_loop = l_1_name = l_1_n = missing
        yield '</td><td class="num">'
        yield escape(environment.finalize(t_5(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'people_exposed'))))
        yield '</td></tr>\n'
        l_1_loop = missing
        for l_1_a, l_1_loop in LoopContext(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')[:10], undefined):
            l_1_unchanged = resolve('unchanged')
            _loop_vars = {}
            pass
            yield '<tr><td class="num">'
            yield escape(environment.finalize(environment.getattr(l_1_loop, 'index')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'title')))
            yield ' <code>'
            yield escape(environment.finalize(environment.getattr(l_1_a, 'mitigation')))
            yield '</code></td><td>'
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_a, 'targets'), ', ')))
            yield '</td><td>'
            def t_16(fiter):
                for (l_2_name, l_2_n) in fiter:
                    if l_2_n:
                        yield (l_2_name, l_2_n)
            l_2_loop = missing
            t_17 = 1
            for (l_2_name, l_2_n), l_2_loop in LoopContext(t_16(context.call(environment.getattr(environment.getattr(l_1_a, 'after'), 'items'), _loop_vars=_loop_vars)), undefined):
                _loop_vars = {}
                pass
                yield escape(environment.finalize(l_2_n))
                yield ' '
                yield escape(environment.finalize(l_2_name))
                yield escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 120 in 'report.html.j2' evaluated to false and no else section was defined."))))
                t_17 = 0
            l_2_loop = l_2_name = l_2_n = missing
            if t_17:
                pass
                yield 'none'
            if (not environment.getattr(l_1_a, 'changes')):
                pass
                yield ' <span class="muted">('
                yield escape(environment.finalize((undefined(name='unchanged') if l_1_unchanged is missing else l_1_unchanged)))
                yield ')</span>'
            yield '</td><td class="num">'
            yield escape(environment.finalize(t_5(environment.getattr(l_1_a, 'people_exposed'))))
            yield '</td></tr>\n'
        l_1_loop = l_1_a = l_1_unchanged = missing
        yield '</table>\n'
        if (t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) > 10):
            pass
            yield '<p class="muted">'
            yield escape(environment.finalize((t_4(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'actions')) - 10)))
            yield ' more steps: <code>threatmodel plan '
            yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'file')))
            yield '</code> lists them all.</p>'
    elif (not environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining')):
        pass
        yield '<p>No open concern is '
        yield escape(environment.finalize(environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'target')))
        yield ' or worse.</p>'
    if environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining'):
        pass
        yield '<ul>'
        for l_1_r in environment.getattr((undefined(name='plan') if l_0_plan is missing else l_0_plan), 'remaining'):
            _loop_vars = {}
            pass
            yield '<li><b>'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'title')))
            yield '</b> <code>'
            yield escape(environment.finalize(environment.getattr(l_1_r, 'concern')))
            yield '</code> (still '
            yield escape(environment.finalize(environment.getattr(l_1_r, 'severity')))
            yield ' after the plan) needs '
            yield escape(environment.finalize(environment.getattr(l_1_r, 'needs')))
            yield '</li>'
        l_1_r = missing
        yield '</ul>'
    if environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'top'):
        pass
        yield '<h3>Top concerns</h3>\n<ol class="top">\n'
        for l_1_top in environment.getattr((undefined(name='summary') if l_0_summary is missing else l_0_summary), 'top'):
            _loop_vars = {}
            pass
            yield '<li><span class="badge sev-'
            yield escape(environment.finalize(environment.getattr(l_1_top, 'severity')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_top, 'severity')))
            yield '</span> <a href="#finding-'
            yield escape(environment.finalize(environment.getattr(l_1_top, 'id')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_top, 'sentence')))
            yield '</a></li>\n'
        l_1_top = missing
        yield '</ol>\n'
    else:
        pass
        yield '<p>No open confirmed findings.</p>'
    yield '</section>\n'

def block_concerns(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<section id="concerns">\n<h2>Concerns</h2>\n'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'concerns'):
        pass
        yield '<p>Findings with one root cause: the same risk wherever it fires, with the risks the catalog declares overlapping. Decide a concern once; its findings keep their ids.</p>\n<table>\n<tr><th>Severity</th><th>Concern</th><th>Where</th><th class="num">Findings</th></tr>\n'
        for l_1_c in environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'concerns'):
            _loop_vars = {}
            pass
            yield '<tr><td><span class="badge sev-'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'severity')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'severity')))
            yield '</span>'
            if (not environment.getattr(l_1_c, 'open')):
                pass
                yield ' <span class="muted">closed</span>'
            yield '</td><td><a href="#finding-'
            yield escape(environment.finalize(environment.getitem(environment.getattr(l_1_c, 'findings'), 0)))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'title')))
            yield '</a> <code>'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'id')))
            yield '</code></td><td>'
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_c, 'elements')[:5], ', ')))
            if (t_4(environment.getattr(l_1_c, 'elements')) > 5):
                pass
                yield ' and '
                yield escape(environment.finalize((t_4(environment.getattr(l_1_c, 'elements')) - 5)))
                yield ' more'
            yield '</td><td class="num">'
            yield escape(environment.finalize(t_4(environment.getattr(l_1_c, 'findings'))))
            yield '</td></tr>\n'
        l_1_c = missing
        yield '</table>\n'
    else:
        pass
        yield '<p>No concerns.</p>'
    yield '</section>\n'

def block_matrix(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    pass
    yield '<section id="matrix">\n<h2>Risk matrix</h2>\n<p>Confirmed findings by final likelihood and impact (after modifiers and controls); the small number is how many are still open.</p>\n<table class="matrix" aria-label="Risk matrix: likelihood by impact">\n'
    l_1_loop = missing
    for l_1_row, l_1_loop in LoopContext(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'matrix'), 'rows'), undefined):
        _loop_vars = {}
        pass
        yield '<tr><th class="axis" scope="row">'
        if environment.getattr(l_1_loop, 'first'):
            pass
            yield 'likelihood '
        yield escape(environment.finalize(environment.getattr(l_1_row, 'likelihood')))
        yield '</th>\n'
        for l_2_cell in environment.getattr(l_1_row, 'cells'):
            _loop_vars = {}
            pass
            yield '<td class="cell-'
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'severity')))
            yield escape(environment.finalize((' empty' if (not environment.getattr(l_2_cell, 'count')) else cond_expr_undefined("the inline if-expression on line 157 in 'report.html.j2' evaluated to false and no else section was defined."))))
            yield '" title="likelihood '
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'likelihood')))
            yield ' x impact '
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'impact')))
            yield ' = '
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'score')))
            yield ' ('
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'severity')))
            yield ')">'
            yield escape(environment.finalize(environment.getattr(l_2_cell, 'count')))
            if environment.getattr(l_2_cell, 'count'):
                pass
                yield '<span class="open">'
                yield escape(environment.finalize(environment.getattr(l_2_cell, 'open')))
                yield ' open</span>'
            yield '</td>'
        l_2_cell = missing
        yield '</tr>\n'
    l_1_loop = l_1_row = missing
    yield '<tr><th></th>'
    for l_1_impact in environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'matrix'), 'impacts'):
        _loop_vars = {}
        pass
        yield '<th scope="col">'
        yield escape(environment.finalize(l_1_impact))
        yield '</th>'
    l_1_impact = missing
    yield '</tr>\n<tr><th></th><th colspan="5">impact</th></tr>\n</table>\n</section>\n'

def block_diagram(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_diagram = resolve('diagram')
    l_0_s = resolve('s')
    l_0_elements = resolve('elements')
    pass
    yield '<section id="diagram">\n<h2>Data-flow diagram</h2>\n'
    if environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'svg'):
        pass
        yield '<div class="zoom screen-only" hidden><button type="button" data-zoom="in" aria-label="Zoom in">+</button><button type="button" data-zoom="out" aria-label="Zoom out">&minus;</button><button type="button" data-zoom="fit">Fit width</button></div>\n<figure class="diagram" tabindex="0" aria-label="Data-flow diagram of '
        yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'name')))
        yield ': elements, flows and trust boundaries (scrolls)">'
        yield escape(environment.finalize(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'svg')))
        yield '\n</figure>\n<p class="muted">Elements, data flows (numbered F1, F2, &hellip;) and trust boundaries; colours mark the worst finding on each. Hover over a shape for its data and findings; select an element with findings to show only its findings. Zoom with the buttons, then drag or scroll to move.</p>\n'
    else:
        pass
        yield '<p class="note">The diagram is not included: '
        yield escape(environment.finalize(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'note')))
        yield '</p>\n'
    for l_1_note in context.call(environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'get'), 'others', [], _block_vars=_block_vars):
        _loop_vars = {}
        pass
        yield '<p class="note">'
        yield escape(environment.finalize(l_1_note))
        yield '</p>\n'
    l_1_note = missing
    if (undefined(name='elements') if l_0_elements is missing else l_0_elements):
        pass
        yield '<p class="element-badges"><span>Findings by element (select one to show only its findings):</span>\n'
        for l_1_e in (undefined(name='elements') if l_0_elements is missing else l_0_elements):
            _loop_vars = {}
            pass
            yield '<a class="badge sev-'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'severity')))
            yield '" href="#findings" data-element="'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'id')))
            yield '" title="'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'count')))
            yield ' '
            yield escape(environment.finalize(environment.getattr(l_1_e, 'severity')))
            yield ' or lower finding'
            yield escape(environment.finalize(('s' if (environment.getattr(l_1_e, 'count') != 1) else cond_expr_undefined("the inline if-expression on line 180 in 'report.html.j2' evaluated to false and no else section was defined."))))
            yield ' on '
            yield escape(environment.finalize(environment.getattr(l_1_e, 'name')))
            yield '">'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'name')))
            yield ' <b>'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'count')))
            yield '</b></a> '
        l_1_e = missing
        yield '</p>'
    for l_1_picture in environment.getattr((undefined(name='diagram') if l_0_diagram is missing else l_0_diagram), 'more'):
        _loop_vars = {}
        pass
        yield '<details class="more-diagram" id="diagram-'
        yield escape(environment.finalize(environment.getattr(l_1_picture, 'id')))
        yield '"><summary>'
        yield escape(environment.finalize(environment.getattr(l_1_picture, 'title')))
        yield '</summary>\n<div class="zoom screen-only" hidden><button type="button" data-zoom="in" aria-label="Zoom in">+</button><button type="button" data-zoom="out" aria-label="Zoom out">&minus;</button><button type="button" data-zoom="fit">Fit width</button></div>\n<figure class="diagram" tabindex="0" aria-label="'
        yield escape(environment.finalize(environment.getattr(l_1_picture, 'title')))
        yield ' of '
        yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'name')))
        yield ' (scrolls)">'
        yield escape(environment.finalize(environment.getattr(l_1_picture, 'svg')))
        yield '</figure>\n</details>\n'
    l_1_picture = missing
    yield '</section>\n'

def block_findings(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    l_0_elements = resolve('elements')
    l_0_groups = resolve('groups')
    l_0_not_detailed = resolve('not_detailed')
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['num']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'num' found.")
    pass
    yield '<section id="findings">\n<h2>Findings</h2>\n<form id="filters" hidden aria-label="Filter findings">\n<span>Show:</span>\n'
    for l_1_severity in environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'summary'), 'by_severity'):
        _loop_vars = {}
        pass
        yield '<label><input type="checkbox" name="severity" value="'
        yield escape(environment.finalize(l_1_severity))
        yield '" checked> '
        yield escape(environment.finalize(l_1_severity))
        yield '</label>\n'
    l_1_severity = missing
    yield '<label><input type="checkbox" name="open"> open only</label>\n<label>element <select name="element"><option value="">all</option>'
    for l_1_e in (undefined(name='elements') if l_0_elements is missing else l_0_elements):
        _loop_vars = {}
        pass
        yield '<option value="'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'id')))
        yield '">'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'name')))
        yield ' ('
        yield escape(environment.finalize(environment.getattr(l_1_e, 'count')))
        yield ')</option>'
    l_1_e = missing
    yield '</select></label>\n<label>text <input type="search" name="q" size="18"></label>\n<span id="filter-count" class="muted"></span>\n</form>\n<p class="print-only muted">Printed in short: long values are cut and each finding names how many data assets it touches; the HTML report, <code>findings.json</code> and <code>findings.csv</code> hold every detail.</p>\n'
    for (l_1_severity, l_1_findings) in (undefined(name='groups') if l_0_groups is missing else l_0_groups):
        _loop_vars = {}
        pass
        yield '<h3 id="severity-'
        yield escape(environment.finalize(l_1_severity))
        yield '" class="severity-heading" data-severity="'
        yield escape(environment.finalize(l_1_severity))
        yield '"><span class="badge sev-'
        yield escape(environment.finalize(l_1_severity))
        yield '">'
        yield escape(environment.finalize(l_1_severity))
        yield '</span> <span class="group-count">'
        yield escape(environment.finalize(t_4(l_1_findings)))
        yield '</span> finding'
        yield escape(environment.finalize(('s' if (t_4(l_1_findings) != 1) else cond_expr_undefined("the inline if-expression on line 204 in 'report.html.j2' evaluated to false and no else section was defined."))))
        yield '</h3>\n<div class="severity-group">'
        for l_2_f in l_1_findings:
            l_2_finding = resolve('finding')
            l_2_repeats = resolve('repeats')
            _loop_vars = {}
            pass
            yield escape(environment.finalize(context.call((undefined(name='finding') if l_2_finding is missing else l_2_finding), l_2_f, context.call(environment.getattr((undefined(name='repeats') if l_2_repeats is missing else l_2_repeats), 'get'), environment.getattr(l_2_f, 'id'), '', _loop_vars=_loop_vars), _loop_vars=_loop_vars)))
        l_2_f = l_2_finding = l_2_repeats = missing
        yield '</div>\n'
    l_1_severity = l_1_findings = missing
    if (not (undefined(name='groups') if l_0_groups is missing else l_0_groups)):
        pass
        yield '<p>No confirmed findings.</p>'
    if (undefined(name='not_detailed') if l_0_not_detailed is missing else l_0_not_detailed):
        pass
        yield '<p class="muted">The '
        yield escape(environment.finalize(t_5((undefined(name='not_detailed') if l_0_not_detailed is missing else l_0_not_detailed))))
        yield ' findings after the worst '
        yield escape(environment.finalize(t_5((environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'summary'), 'findings') - (undefined(name='not_detailed') if l_0_not_detailed is missing else l_0_not_detailed)))))
        yield ' are not written out here; <code>findings.json</code> and <code>findings.csv</code> hold every finding in full.</p>'
    yield '</section>\n'

def block_checklist(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    try:
        t_1 = environment.filters['change']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'change' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<section id="checklist">\n<h2>Mitigation checklist</h2>\n<p>Each mitigation the findings recommend, ordered by how much open risk (sum of likelihood × impact over the open findings it addresses) it would remove. Ticked ones are in place wherever they are recommended.</p>\n'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'mitigations'):
        pass
        yield '<table>\n<tr><th></th><th>Mitigation</th><th>Effect</th><th class="num">Risk removed</th><th>Findings</th><th>Missing on</th></tr>\n'
        l_1_loop = missing
        for l_1_m, l_1_loop in LoopContext(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'mitigations'), undefined):
            _loop_vars = {}
            pass
            yield '<tr><td class="check">'
            yield escape(environment.finalize(('☑' if environment.getattr(l_1_m, 'in_place') else '☐')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_m, 'title')))
            yield ' <code>'
            yield escape(environment.finalize(environment.getattr(l_1_m, 'id')))
            yield '</code>'
            if environment.getattr(l_1_m, 'description'):
                pass
                yield '<br><span class="muted">'
                yield escape(environment.finalize(environment.getattr(l_1_m, 'description')))
                yield '</span>'
            yield '</td><td class="effect">'
            yield escape(environment.finalize(t_1(l_1_m)))
            yield '</td>\n<td class="num">'
            yield escape(environment.finalize(environment.getattr(l_1_m, 'risk_removed')))
            if environment.getattr(l_1_m, 'risk_already_removed'):
                pass
                yield '<br><span class="muted">'
                yield escape(environment.finalize(environment.getattr(l_1_m, 'risk_already_removed')))
                yield ' already</span>'
            yield '</td>\n<td><span class="screen-only">'
            l_2_loop = missing
            for l_2_id, l_2_loop in LoopContext(environment.getattr(l_1_m, 'findings'), undefined):
                _loop_vars = {}
                pass
                yield '<a href="#finding-'
                yield escape(environment.finalize(l_2_id))
                yield '"><code>'
                yield escape(environment.finalize(l_2_id))
                yield '</code></a>'
                yield escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 223 in 'report.html.j2' evaluated to false and no else section was defined."))))
            l_2_loop = l_2_id = missing
            yield '</span><span class="print-only">'
            yield escape(environment.finalize(t_4(environment.getattr(l_1_m, 'findings'))))
            yield '</span></td><td>'
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_m, 'missing_on'), ', ')))
            yield '</td></tr>\n'
        l_1_loop = l_1_m = missing
        yield '</table>\n'
    else:
        pass
        yield '<p>No mitigations recommended.</p>'
    yield '</section>\n'

def block_compliance(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    pass
    yield '<section id="compliance">\n<h2>Compliance view</h2>\n'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'compliance'):
        pass
        yield '<p>Findings grouped by the law articles their risks cite.</p>\n'
        for l_1_law in environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'compliance'):
            _loop_vars = {}
            pass
            yield '<h3>'
            yield escape(environment.finalize(environment.getattr(l_1_law, 'title')))
            yield '</h3>\n<table>\n<tr><th>Article</th><th>Findings</th></tr>\n'
            for l_2_a in environment.getattr(l_1_law, 'articles'):
                _loop_vars = {}
                pass
                yield '<tr><td>'
                if environment.getattr(l_2_a, 'link'):
                    pass
                    yield '<a href="'
                    yield escape(environment.finalize(environment.getattr(l_2_a, 'link')))
                    yield '" rel="noopener noreferrer">'
                    yield escape(environment.finalize(environment.getattr(l_2_a, 'title')))
                    yield '</a>'
                else:
                    pass
                    yield escape(environment.finalize(environment.getattr(l_2_a, 'title')))
                if environment.getattr(l_2_a, 'fact'):
                    pass
                    yield '<br><span class="muted">'
                    yield escape(environment.finalize(environment.getattr(l_2_a, 'fact')))
                    yield '</span>'
                yield '</td>\n<td><ul class="compliance-findings">'
                for l_3_f in environment.getattr(l_2_a, 'findings'):
                    _loop_vars = {}
                    pass
                    yield '<li><span class="badge sev-'
                    yield escape(environment.finalize(environment.getattr(l_3_f, 'severity')))
                    yield '">'
                    yield escape(environment.finalize(environment.getattr(l_3_f, 'severity')))
                    yield '</span> <a href="#finding-'
                    yield escape(environment.finalize(environment.getattr(l_3_f, 'id')))
                    yield '">'
                    yield escape(environment.finalize(environment.getattr(l_3_f, 'title')))
                    yield '</a> <code class="screen-only">'
                    yield escape(environment.finalize(environment.getattr(l_3_f, 'id')))
                    yield '</code>'
                    if (environment.getattr(l_3_f, 'review_status') != 'open'):
                        pass
                        yield ' <span class="muted">('
                        yield escape(environment.finalize(environment.getattr(l_3_f, 'review_status')))
                        yield ')</span>'
                    yield '</li>'
                l_3_f = missing
                yield '</ul></td></tr>\n'
            l_2_a = missing
            yield '</table>\n'
        l_1_law = missing
    else:
        pass
        yield '<p>No finding cites a law article.</p>'
    yield '</section>\n'

def block_questions(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield '<section id="questions">\n<h2>Questions for the system owner</h2>\n'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions'):
        pass
        yield '<p>The model is silent on these; each answer, written into the model, confirms or rules out the risks listed with it. Most weighty first (score x people at stake).</p>\n<ol class="questions">\n'
        l_1_loop = missing
        for l_1_q, l_1_loop in LoopContext(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'questions'), undefined):
            _loop_vars = {}
            pass
            yield '<li><b>'
            yield escape(environment.finalize(environment.getattr(l_1_q, 'text')))
            yield '</b> <code>'
            yield escape(environment.finalize(environment.getattr(l_1_q, 'id')))
            yield '</code><br><span class="muted">On '
            l_2_loop = missing
            for l_2_w, l_2_loop in LoopContext(environment.getattr(l_1_q, 'where')[:8], undefined):
                _loop_vars = {}
                pass
                yield '<code>'
                yield escape(environment.finalize(environment.getattr(l_2_w, 'id')))
                yield '</code>'
                yield escape(environment.finalize((', ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 255 in 'report.html.j2' evaluated to false and no else section was defined."))))
            l_2_loop = l_2_w = missing
            if (t_4(environment.getattr(l_1_q, 'where')) > 8):
                pass
                yield ' and '
                yield escape(environment.finalize((t_4(environment.getattr(l_1_q, 'where')) - 8)))
                yield ' more'
            yield '.'
            if environment.getattr(l_1_q, 'answers'):
                pass
                yield ' Answers: '
                yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_q, 'answers'), ' / ')))
                yield '.'
            yield ' Could confirm: '
            l_2_loop = missing
            for l_2_r, l_2_loop in LoopContext(environment.getattr(l_1_q, 'risks')[:5], undefined):
                _loop_vars = {}
                pass
                yield escape(environment.finalize(environment.getattr(l_2_r, 'title')))
                yield ' ('
                yield escape(environment.finalize(environment.getattr(l_2_r, 'severity')))
                yield ')'
                yield escape(environment.finalize(('; ' if (not environment.getattr(l_2_loop, 'last')) else cond_expr_undefined("the inline if-expression on line 255 in 'report.html.j2' evaluated to false and no else section was defined."))))
            l_2_loop = l_2_r = missing
            yield '.</span></li>\n'
        l_1_loop = l_1_q = missing
        yield '</ol>\n'
    else:
        pass
        yield '<p>Nothing is missing: every risk in scope could be decided.</p>'
    yield '</section>\n'

def block_references(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_notes = resolve('notes')
    pass
    yield '<section id="references">\n<h2>References</h2>\n'
    if (undefined(name='notes') if l_0_notes is missing else l_0_notes):
        pass
        yield '<p>The incidents, law articles, studies and standards the findings above cite, each once.</p>\n<ol class="notes">\n'
        for (l_1_rid, l_1_number) in context.call(environment.getattr((undefined(name='notes') if l_0_notes is missing else l_0_notes), 'items'), _block_vars=_block_vars):
            l_1_data = resolve('data')
            l_1_r = missing
            _loop_vars = {}
            pass
            l_1_r = environment.getitem(environment.getattr((undefined(name='data') if l_1_data is missing else l_1_data), 'references'), l_1_rid)
            _loop_vars['r'] = l_1_r
            yield '<li id="ref-'
            yield escape(environment.finalize(l_1_number))
            yield '" value="'
            yield escape(environment.finalize(l_1_number))
            yield '">'
            if environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'link'):
                pass
                yield '<a href="'
                yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'link')))
                yield '" rel="noopener noreferrer">'
                yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'title')))
                yield '</a>'
            else:
                pass
                yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'title')))
            yield ' <span class="muted">('
            yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'kind')))
            yield ')</span>'
            if environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'fact'):
                pass
                yield ': '
                yield escape(environment.finalize(environment.getattr((undefined(name='r') if l_1_r is missing else l_1_r), 'fact')))
            yield '</li>\n'
        l_1_rid = l_1_number = l_1_data = l_1_r = missing
        yield '</ol>\n'
    else:
        pass
        yield '<p>No finding cites a reference.</p>'
    yield '</section>\n'

def block_appendix(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    l_0_m = missing
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_5 = environment.filters['num']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'num' found.")
    try:
        t_6 = environment.filters['replace']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'replace' found.")
    try:
        t_18 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_18(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    yield '<section id="appendix">\n<h2>Appendix: the model</h2>\n'
    l_0_m = environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'model')
    _block_vars['m'] = l_0_m
    yield '<h3>Elements</h3>\n<table><tr><th>Id</th><th>Name</th><th>Kind</th><th>Type</th><th>Boundary</th><th class="num">Line</th></tr>\n'
    for l_1_e in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'elements'):
        _loop_vars = {}
        pass
        yield '<tr><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'id')))
        yield '</code></td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'name')))
        if environment.getattr(l_1_e, 'description'):
            pass
            yield '<br><span class="muted">'
            yield escape(environment.finalize(environment.getattr(l_1_e, 'description')))
            yield '</span>'
        yield '</td><td>'
        yield escape(environment.finalize(t_6(context.eval_ctx, environment.getattr(l_1_e, 'kind'), '_', ' ')))
        yield '</td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'type')))
        yield '</td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_e, 'boundary')))
        yield '</td><td class="num">'
        yield escape(environment.finalize((environment.getattr(l_1_e, 'line') or '')))
        yield '</td></tr>\n'
    l_1_e = missing
    yield '</table>\n<h3>Data assets</h3>\n<table><tr><th>Id</th><th>Name</th><th>Categories</th><th class="num">People</th><th>Source</th><th>Retention</th></tr>\n'
    for l_1_d in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'data'):
        _loop_vars = {}
        pass
        yield '<tr><td><code>'
        yield escape(environment.finalize(environment.getattr(l_1_d, 'id')))
        yield '</code></td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_d, 'name')))
        if environment.getattr(l_1_d, 'description'):
            pass
            yield '<br><span class="muted">'
            yield escape(environment.finalize(environment.getattr(l_1_d, 'description')))
            yield '</span>'
        yield '</td><td>'
        yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_d, 'categories'), ', ')))
        yield '</td><td class="num">'
        yield escape(environment.finalize((t_5(environment.getattr(l_1_d, 'subjects')) if (not t_18(environment.getattr(l_1_d, 'subjects'))) else '')))
        yield '</td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_d, 'source')))
        yield '</td><td>'
        yield escape(environment.finalize(environment.getattr(l_1_d, 'retention')))
        yield '</td></tr>\n'
    l_1_d = missing
    yield '</table>\n'
    if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'flows'):
        pass
        yield '<h3>Flows</h3>\n<table><tr><th>No.</th><th>Id</th><th>Name</th><th>From</th><th>To</th><th>Data</th></tr>\n'
        for l_1_fl in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'flows'):
            l_1_flow_numbers = resolve('flow_numbers')
            _loop_vars = {}
            pass
            yield '<tr><td>'
            yield escape(environment.finalize(environment.getitem((undefined(name='flow_numbers') if l_1_flow_numbers is missing else l_1_flow_numbers), environment.getattr(l_1_fl, 'id'))))
            yield '</td><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_fl, 'id')))
            yield '</code></td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_fl, 'name')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_fl, 'source')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_fl, 'target')))
            yield '</td><td>'
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_fl, 'data'), ', ')))
            yield '</td></tr>\n'
        l_1_fl = l_1_flow_numbers = missing
        yield '</table>'
    if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'boundaries'):
        pass
        yield '<h3>Boundaries</h3>\n<table><tr><th>Id</th><th>Name</th><th>Kind</th><th>Inside</th><th>Members</th></tr>\n'
        for l_1_b in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'boundaries'):
            _loop_vars = {}
            pass
            yield '<tr><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_b, 'id')))
            yield '</code></td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_b, 'name')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_b, 'kind')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_b, 'parent')))
            yield '</td><td>'
            yield escape(environment.finalize(t_3(context.eval_ctx, environment.getattr(l_1_b, 'members'), ', ')))
            yield '</td></tr>\n'
        l_1_b = missing
        yield '</table>'
    if environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'controls'):
        pass
        yield '<h3>Controls in place</h3>\n<table><tr><th>Mitigation</th><th>On</th><th>Note</th></tr>\n'
        for l_1_c in environment.getattr((undefined(name='m') if l_0_m is missing else l_0_m), 'controls'):
            _loop_vars = {}
            pass
            yield '<tr><td><code>'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'mitigation')))
            yield '</code></td><td>'
            yield escape(environment.finalize((t_3(context.eval_ctx, environment.getattr(l_1_c, 'targets'), ', ') or 'everything')))
            yield '</td><td>'
            yield escape(environment.finalize(environment.getattr(l_1_c, 'note')))
            yield '</td></tr>\n'
        l_1_c = missing
        yield '</table>'
    if environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'warnings'):
        pass
        yield '<h3>Warnings</h3>\n<ul>'
        for l_1_w in environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'warnings'):
            _loop_vars = {}
            pass
            yield '<li><code>'
            yield escape(environment.finalize(l_1_w))
            yield '</code></li>'
        l_1_w = missing
        yield '</ul>'
    yield '</section>\n'

def block_footer(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    _block_vars = {}
    l_0_data = resolve('data')
    l_0_s = resolve('s')
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    pass
    yield 'Written by threatmodel '
    yield escape(environment.finalize(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'tool'), 'version')))
    yield ' from <code>'
    yield escape(environment.finalize(environment.getattr((undefined(name='s') if l_0_s is missing else l_0_s), 'file')))
    yield '</code> and '
    yield escape(environment.finalize(t_4(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'catalog'), 'files'))))
    yield ' catalog file'
    yield escape(environment.finalize(('s' if (t_4(environment.getattr(environment.getattr((undefined(name='data') if l_0_data is missing else l_0_data), 'catalog'), 'files')) != 1) else cond_expr_undefined("the inline if-expression on line 304 in 'report.html.j2' evaluated to false and no else section was defined."))))
    yield '.'

blocks = {'csp': block_csp, 'title': block_title, 'head': block_head, 'header': block_header, 'brief': block_brief, 'toc': block_toc, 'summary': block_summary, 'concerns': block_concerns, 'matrix': block_matrix, 'diagram': block_diagram, 'findings': block_findings, 'checklist': block_checklist, 'compliance': block_compliance, 'questions': block_questions, 'references': block_references, 'appendix': block_appendix, 'footer': block_footer}
debug_info = '3=63&4=66&7=69&8=81&9=94&10=99&11=117&12=120&14=139&15=165&16=208&17=219&18=243&19=247&20=285&21=286&22=293&23=300&24=307&25=308&26=313&27=329&28=335&29=359&30=374&31=395&32=424&33=447&42=509&44=511&45=513&46=515&47=517&50=519&58=521&79=523&94=525&136=527&150=529&166=531&190=533&213=535&230=537&249=539&262=541&275=543&304=545&305=547&42=550&45=566&47=578&50=587&52=598&53=600&58=612&59=662&62=665&63=680&64=684&65=699&66=704&67=707&69=728&72=768&73=775&74=780&75=803&79=819&94=829&97=866&98=872&99=889&101=895&102=899&104=909&108=911&109=919&111=927&112=934&113=939&115=942&116=945&119=947&120=964&123=1005&124=1012&125=1017&126=1034&129=1037&136=1056&139=1078&143=1081&150=1115&155=1126&156=1130&157=1135&160=1161&166=1170&169=1182&171=1185&175=1192&177=1194&179=1201&180=1204&181=1226&182=1230&184=1234&190=1243&195=1268&198=1278&203=1290&204=1294&205=1306&207=1315&208=1318&213=1327&217=1355&220=1359&221=1363&222=1377&223=1385&230=1407&233=1417&235=1420&236=1424&239=1426&240=1430&241=1446&249=1476&252=1498&255=1502&262=1549&265=1559&268=1562&275=1599&278=1634&281=1637&285=1660&287=1683&289=1686&291=1705&293=1708&295=1724&297=1727&299=1739&300=1742&304=1752'
