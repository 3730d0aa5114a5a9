/// The style sheet inlined in every HTML page Earmark writes (system fonts only: nothing is fetched).
enum PageStyle {
    static let css = """
        :root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --paper: #ffffff; --ground: #f4f6f8;
          --accent: #1f77b4; --wrong: #c62828; --right: #2e7d32; }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--ground); color: var(--ink);
          font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans",
            "DejaVu Sans", Arial, sans-serif; }
        main { max-width: 1400px; margin: 0 auto; padding: 28px 32px 40px; }
        header h1 { margin: 0; font-size: 28px; font-weight: 650; letter-spacing: -0.01em; }
        .subtitle { margin: 4px 0 12px; color: var(--muted); }
        nav { display: flex; flex-wrap: wrap; gap: 6px; }
        nav a { color: var(--accent); text-decoration: none; font-size: 14px; padding: 3px 10px;
          border: 1px solid var(--line); border-radius: 999px; background: var(--paper); }
        nav a:hover { border-color: var(--accent); }
        section { background: var(--paper); border: 1px solid var(--line); border-radius: 10px;
          padding: 20px 24px; margin: 18px 0; }
        h2 { margin: 0 0 14px; font-size: 19px; font-weight: 620; }
        h3 { margin: 18px 0 8px; font-size: 15px; font-weight: 620; color: var(--muted); }
        p { margin: 8px 0; }
        .note { color: var(--muted); font-size: 14px; }
        ul.facts { margin: 0; padding-left: 20px; }
        ul.facts li { margin: 3px 0; }
        .cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 4px 0 16px; }
        .card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 170px; }
        .card .value { display: block; font-size: 24px; font-weight: 650; font-variant-numeric: tabular-nums; }
        .card .what { color: var(--muted); font-size: 13px; }
        .row { display: flex; flex-wrap: wrap; gap: 28px; align-items: flex-start; }
        .row > * { flex: 1 1 420px; min-width: 0; }
        .row > figure.chart { flex: 0 1 auto; }
        .row.pair > figure.chart { flex: 0 1 640px; }
        figure.chart { margin: 0; }
        figure.chart svg { display: block; max-width: 100%; height: auto; }
        table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
        th, td { padding: 6px 12px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
        thead th { background: var(--ground); font-weight: 620; border-bottom: 2px solid var(--line); }
        th.num, td.num { text-align: right; }
        tbody tr:hover { background: #f9fafb; }
        td.file { max-width: 280px; overflow-wrap: anywhere; }
        .probs { display: flex; flex-wrap: wrap; gap: 4px 8px; }
        .prob { white-space: nowrap; font-variant-numeric: tabular-nums; padding: 1px 7px; border-radius: 999px;
          background: var(--ground); font-size: 13px; }
        .prob.predicted { color: #fff; background: var(--wrong); }
        .prob.truth { color: #fff; background: var(--right); }
        .wrong { color: var(--wrong); font-weight: 600; }
        .right { color: var(--right); font-weight: 600; }
        audio { width: 250px; height: 34px; vertical-align: middle; }
        .original { font-size: 13px; margin-left: 6px; }
        a { color: var(--accent); }
        code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; }
        code { font-size: 0.9em; background: var(--ground); padding: 1px 5px; border-radius: 4px;
          overflow-wrap: anywhere; }
        pre { margin: 0; background: var(--ground); border-radius: 8px; padding: 14px 16px; overflow: auto;
          font-size: 13px; line-height: 1.45; }
        details summary { cursor: pointer; color: var(--accent); margin-top: 12px; }
        ul.warnings li { margin: 3px 0; }
        footer { color: var(--muted); font-size: 13px; margin-top: 24px; text-align: center; }

        """
}
