#include "complete.h"
#include "cli.h"
#include "err.h"

#include <string.h>

/* Each script is data made here from cli.c's tables (which options each
 * command takes, which take a value, the fixed values) and a fixed body
 * that only walks the line: no option is named in the bodies. */

/* Whether option `op` is accepted by command `cmd` (CLI_NONE: before any
 * command, where only the options of every command are offered). */
static int option_for(const struct cli_optinfo *op, enum cli_command cmd)
{
    return op->commands == 0 || (cmd != CLI_NONE && (op->commands & (1u << cmd)));
}

/* Whether `op`'s value is a file name (the shells then complete files). */
static int is_path(const struct cli_optinfo *op)
{
    return op->values == cli_values_path;
}

/* The values of fn, each followed by `sep`, each inside `quote`. */
static void add_values(struct sbuf *out, cli_value_fn fn, const char *quote, const char *sep)
{
    for (size_t i = 0; fn && fn(i); i++)
        sbuf_printf(out, "%s%s%s%s", quote, fn(i), quote, sep);
}

/* Every spelling (--name, -l) of every option `cmd` takes, as for
 * add_values. */
static void add_options(struct sbuf *out, enum cli_command cmd, const char *quote, const char *sep)
{
    struct cli_optinfo op;

    for (size_t i = 0; cli_option_info(i, &op) == 0; i++) {
        if (!option_for(&op, cmd))
            continue;
        sbuf_printf(out, "%s%s%s%s", quote, op.name, quote, sep);
        if (op.letter)
            sbuf_printf(out, "%s-%c%s%s", quote, op.letter, quote, sep);
    }
}

/* Drops a trailing separator of n bytes, if there is one. */
static void drop_sep(struct sbuf *out, size_t n)
{
    if (out->len >= n && !out->failed) {
        out->len -= n;
        out->p[out->len] = '\0';
    }
}

/* The case patterns of an option: "-p|--priority" or "--level". */
static void add_pattern(struct sbuf *out, const struct cli_optinfo *op)
{
    if (op->letter)
        sbuf_printf(out, "-%c|", op->letter);
    sbuf_adds(out, op->name);
}

/* The functions the bash and zsh bodies call: both shells read them the
 * same (case, [[ ]], (( )), ${w:$j:1}, printf). */
static void posix_tables(struct sbuf *out)
{
    struct cli_optinfo op;
    struct cli_cmdinfo c;

    sbuf_adds(out, "# The options each command takes.\n_svcclient_opts() {\n    case $1 in\n");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        sbuf_printf(out, "    %s) printf '%%s\\n' '", c.name);
        add_options(out, c.cmd, "", " ");
        drop_sep(out, 1);
        sbuf_adds(out, "' ;;\n");
    }
    sbuf_adds(out, "    *) printf '%s\\n' '");
    add_options(out, CLI_NONE, "", " ");
    drop_sep(out, 1);
    sbuf_adds(out, "' ;;\n    esac\n}\n\n");

    sbuf_adds(out, "# The fixed values of an option (none: free text).\n"
                   "_svcclient_values() {\n    case $1 in\n");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++) {
        if (!op.values || is_path(&op))
            continue;
        sbuf_adds(out, "    ");
        add_pattern(out, &op);
        sbuf_adds(out, ") printf '%s\\n' '");
        add_values(out, op.values, "", " ");
        drop_sep(out, 1);
        sbuf_adds(out, "' ;;\n");
    }
    sbuf_adds(out, "    esac\n}\n\n");

    sbuf_adds(out, "# Whether an option's value is a file name.\n_svcclient_path() {\n"
                   "    case $1 in\n");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++) {
        if (!is_path(&op))
            continue;
        sbuf_adds(out, "    ");
        add_pattern(out, &op);
        sbuf_adds(out, ") return 0 ;;\n");
    }
    sbuf_adds(out, "    esac\n    return 1\n}\n\n");

    sbuf_adds(out, "# The words a command's argument can be ('': the command itself).\n"
                   "_svcclient_args() {\n    case $1 in\n    '') printf '%s\\n' '");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++)
        sbuf_printf(out, "%s ", c.name);
    drop_sep(out, 1);
    sbuf_adds(out, "' ;;\n");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        if (!c.args)
            continue;
        sbuf_printf(out, "    %s) printf '%%s\\n' '", c.name);
        add_values(out, c.args, "", " ");
        drop_sep(out, 1);
        sbuf_adds(out, "' ;;\n");
    }
    sbuf_adds(out, "    esac\n}\n\n");

    /* which words take a value: long names, and the letters */
    sbuf_adds(out, "# Prints the option whose value the next word is, if word $1 ends in one\n"
                   "# (--tail, -n, -fn; not -n5 or --tail=5).\n"
                   "_svcclient_wants() {\n    local w=$1 j\n    case $w in\n"
                   "    --*=*) ;;\n    --*) [[ ' ");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++)
        if (op.takes_value)
            sbuf_printf(out, "%s ", op.name);
    sbuf_adds(out, "' == *\" $w \"* ]] && printf '%s\\n' \"$w\" ;;\n"
                   "    -?*)\n        for ((j = 1; j < ${#w}; j++)); do\n"
                   "            if [[ '");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++)
        if (op.takes_value && op.letter)
            sbuf_addc(out, op.letter);
    sbuf_adds(out, "' == *\"${w:$j:1}\"* ]]; then\n"
                   "                ((j == ${#w} - 1)) && printf '%s\\n' \"-${w:$j:1}\"\n"
                   "                break\n            fi\n        done\n        ;;\n"
                   "    esac\n    return 0\n}\n\n");
}

static const char bash_body[] =
    "_svcclient() {\n"
    "    local cur=${COMP_WORDS[COMP_CWORD]} cmd= want= w i narg=0 list=\n"
    "    COMPREPLY=()\n"
    "    for ((i = 1; i < COMP_CWORD; i++)); do\n"
    "        w=${COMP_WORDS[i]}\n"
    "        if [[ -n $want ]]; then\n"
    "            # bash splits --opt=value at '=' (COMP_WORDBREAKS)\n"
    "            [[ $w == = ]] || want=\n"
    "            continue\n"
    "        fi\n"
    "        case $w in\n"
    "        -*) want=$(_svcclient_wants \"$w\") ;;\n"
    "        *) if [[ -z $cmd ]]; then cmd=$w; else narg=$((narg + 1)); fi ;;\n"
    "        esac\n"
    "    done\n"
    "    if [[ -n $want ]]; then\n"
    "        [[ $cur == = ]] && cur=\n"
    "        if _svcclient_path \"$want\"; then\n"
    "            compopt -o filenames 2>/dev/null\n"
    "            COMPREPLY=($(compgen -f -- \"$cur\"))\n"
    "            return 0\n"
    "        fi\n"
    "        list=$(_svcclient_values \"$want\")\n"
    "    elif [[ $cur == -* ]]; then\n"
    "        list=$(_svcclient_opts \"$cmd\")\n"
    "    elif ((narg == 0)); then\n"
    "        list=$(_svcclient_args \"$cmd\")\n"
    "    fi\n"
    "    COMPREPLY=($(compgen -W \"$list\" -- \"$cur\"))\n"
    "    return 0\n"
    "}\n"
    "\n"
    "complete -F _svcclient svcclient\n";

static const char zsh_body[] =
    "_svcclient() {\n"
    "    local cur=${words[CURRENT]} cmd= want= w\n"
    "    local -i i narg=0\n"
    "    local -a list\n"
    "    for ((i = 2; i < CURRENT; i++)); do\n"
    "        w=${words[i]}\n"
    "        if [[ -n $want ]]; then\n"
    "            want=\n"
    "            continue\n"
    "        fi\n"
    "        case $w in\n"
    "        -*) want=$(_svcclient_wants \"$w\") ;;\n"
    "        *) if [[ -z $cmd ]]; then cmd=$w; else narg+=1; fi ;;\n"
    "        esac\n"
    "    done\n"
    "    if [[ -z $want && $cur == --*=* ]]; then\n"
    "        want=$(_svcclient_wants \"${cur%%=*}\")\n"
    "        [[ -n $want ]] && compset -P '*='\n"
    "    fi\n"
    "    if [[ -n $want ]] && _svcclient_path \"$want\"; then\n"
    "        _files\n"
    "        return\n"
    "    fi\n"
    "    if [[ -n $want ]]; then\n"
    "        list=(${=$(_svcclient_values \"$want\")})\n"
    "    elif [[ $cur == -* ]]; then\n"
    "        list=(${=$(_svcclient_opts \"$cmd\")})\n"
    "    elif ((narg == 0)); then\n"
    "        list=(${=$(_svcclient_args \"$cmd\")})\n"
    "    fi\n"
    "    compadd -a list\n"
    "}\n"
    "\n"
    "# Autoloaded from $fpath, this file is the first call: run it; sourced,\n"
    "# register it.\n"
    "if [[ ${funcstack[1]} == _svcclient ]]; then\n"
    "    _svcclient \"$@\"\n"
    "else\n"
    "    compdef _svcclient svcclient\n"
    "fi\n";

static void bash_script(struct sbuf *out)
{
    sbuf_adds(out, "# bash completion for svcclient, generated by 'svcclient completion bash'\n"
                   "# from its own table of commands and options. Load it with\n"
                   "#   source <(svcclient completion bash)\n"
                   "# or install it as /usr/share/bash-completion/completions/svcclient.\n\n");
    posix_tables(out);
    sbuf_adds(out, bash_body);
}

static void zsh_script(struct sbuf *out)
{
    sbuf_adds(out, "#compdef svcclient\n"
                   "# zsh completion for svcclient, generated by 'svcclient completion zsh'\n"
                   "# from its own table of commands and options. Load it with\n"
                   "#   source <(svcclient completion zsh)      (after compinit)\n"
                   "# or install it as _svcclient in a directory of $fpath.\n\n");
    posix_tables(out);
    sbuf_adds(out, zsh_body);
}

/* One `complete` line per option; fish itself tells options from words. */
static void fish_option(struct sbuf *out, const struct cli_optinfo *op)
{
    struct cli_cmdinfo c;

    sbuf_adds(out, "complete -c svcclient");
    if (op->commands) {
        sbuf_adds(out, " -n '__fish_seen_subcommand_from");
        for (size_t i = 0; cli_command_info(i, &c) == 0; i++)
            if (op->commands & (1u << c.cmd))
                sbuf_printf(out, " %s", c.name);
        sbuf_adds(out, "'");
    }
    if (op->letter)
        sbuf_printf(out, " -s %c", op->letter);
    sbuf_printf(out, " -l %s", op->name + 2);
    if (is_path(op)) {
        sbuf_adds(out, " -r -F");
    } else if (op->takes_value && op->values) {
        sbuf_adds(out, " -x -a '");
        add_values(out, op->values, "", " ");
        drop_sep(out, 1);
        sbuf_adds(out, "'");
    } else if (op->takes_value) {
        sbuf_adds(out, " -r");
    }
    sbuf_adds(out, "\n");
}

static void fish_script(struct sbuf *out)
{
    struct cli_optinfo op;
    struct cli_cmdinfo c;

    sbuf_adds(out, "# fish completion for svcclient, generated by 'svcclient completion fish'\n"
                   "# from its own table of commands and options. Load it with\n"
                   "#   svcclient completion fish | source\n"
                   "# or save it as ~/.config/fish/completions/svcclient.fish.\n\n"
                   "complete -c svcclient -f\n"
                   "complete -c svcclient -n __fish_use_subcommand -a '");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++)
        sbuf_printf(out, "%s ", c.name);
    drop_sep(out, 1);
    sbuf_adds(out, "'\n");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        if (!c.args)
            continue;
        sbuf_printf(out, "complete -c svcclient -n '__fish_seen_subcommand_from %s' -a '", c.name);
        add_values(out, c.args, "", " ");
        drop_sep(out, 1);
        sbuf_adds(out, "'\n");
    }
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++)
        fish_option(out, &op);
}

static const char powershell_body[] =
    "    $cmd = ''\n"
    "    $want = $null\n"
    "    $narg = 0\n"
    "    $before = @($commandAst.CommandElements |\n"
    "        Where-Object { $_.Extent.EndOffset -lt $cursorPosition } | Select-Object -Skip 1)\n"
    "    foreach ($e in $before) {\n"
    "        $w = $e.Extent.Text\n"
    "        if ($null -ne $want) { $want = $null; continue }\n"
    "        if ($w -like '--*=*') { continue }\n"
    "        if ($w -like '--*') {\n"
    "            if ($values.ContainsKey($w)) { $want = $w }\n"
    "            continue\n"
    "        }\n"
    "        if ($w -like '-?*') {\n"
    "            # -fn 5: the first letter that takes a value takes the rest\n"
    "            for ($j = 1; $j -lt $w.Length; $j++) {\n"
    "                if ($letters.IndexOf($w[$j]) -ge 0) {\n"
    "                    if ($j -eq $w.Length - 1) { $want = '-' + $w[$j] }\n"
    "                    break\n"
    "                }\n"
    "            }\n"
    "            continue\n"
    "        }\n"
    "        if ($cmd -eq '') { $cmd = $w } else { $narg++ }\n"
    "    }\n"
    "    $cur = \"$wordToComplete\"\n"
    "    $prefix = ''\n"
    "    if ($null -eq $want -and $cur -like '--*=*') {\n"
    "        $at = $cur.IndexOf('=')\n"
    "        if ($values.ContainsKey($cur.Substring(0, $at))) {\n"
    "            $want = $cur.Substring(0, $at)\n"
    "            $prefix = $cur.Substring(0, $at + 1)\n"
    "            $cur = $cur.Substring($at + 1)\n"
    "        }\n"
    "    }\n"
    "    $list = @()\n"
    "    if ($null -ne $want) { $list = $values[$want] }\n"
    "    elseif ($cur -like '-*') { $list = $opts[$cmd] }\n"
    "    elseif ($narg -eq 0) { $list = $cmdargs[$cmd] }\n"
    "    @($list) | Where-Object { $_ -and $_ -clike \"$cur*\" } | ForEach-Object {\n"
    "        $t = $prefix + $_\n"
    "        [System.Management.Automation.CompletionResult]::new($t, $t, 'ParameterValue', $t)\n"
    "    }\n"
    "}\n";

/* The tables as PowerShell hashtables inside the completer's script block,
 * so loading it leaves no variables behind. */
static void powershell_tables(struct sbuf *out)
{
    struct cli_optinfo op;
    struct cli_cmdinfo c;

    sbuf_adds(out, "    $opts = @{\n        '' = @(");
    add_options(out, CLI_NONE, "'", ", ");
    drop_sep(out, 2);
    sbuf_adds(out, ")\n");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        sbuf_printf(out, "        '%s' = @(", c.name);
        add_options(out, c.cmd, "'", ", ");
        drop_sep(out, 2);
        sbuf_adds(out, ")\n");
    }
    /* every option that takes a value, with its fixed set or none */
    sbuf_adds(out, "    }\n    $values = @{\n");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++) {
        if (!op.takes_value)
            continue;
        sbuf_printf(out, "        '%s' = @(", op.name);
        add_values(out, op.values, "'", ", ");
        drop_sep(out, op.values && !is_path(&op) ? 2 : 0);
        sbuf_adds(out, ")\n");
        if (op.letter) {
            sbuf_printf(out, "        '-%c' = @(", op.letter);
            add_values(out, op.values, "'", ", ");
            drop_sep(out, op.values && !is_path(&op) ? 2 : 0);
            sbuf_adds(out, ")\n");
        }
    }
    sbuf_adds(out, "    }\n    $cmdargs = @{\n        '' = @(");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++)
        sbuf_printf(out, "'%s', ", c.name);
    drop_sep(out, 2);
    sbuf_adds(out, ")\n");
    for (size_t i = 0; cli_command_info(i, &c) == 0; i++) {
        if (!c.args)
            continue;
        sbuf_printf(out, "        '%s' = @(", c.name);
        add_values(out, c.args, "'", ", ");
        drop_sep(out, 2);
        sbuf_adds(out, ")\n");
    }
    sbuf_adds(out, "    }\n    $letters = '");
    for (size_t i = 0; cli_option_info(i, &op) == 0; i++)
        if (op.takes_value && op.letter)
            sbuf_addc(out, op.letter);
    sbuf_adds(out, "'\n");
}

static void powershell_script(struct sbuf *out)
{
    sbuf_adds(out, "# PowerShell completion for svcclient, generated by 'svcclient completion\n"
                   "# powershell' from its own table of commands and options. Load it with\n"
                   "#   svcclient completion powershell | Out-String | Invoke-Expression\n"
                   "# (add that line to $PROFILE to have it in every session).\n\n"
                   "Register-ArgumentCompleter -Native -CommandName 'svcclient', 'svcclient.exe' "
                   "-ScriptBlock {\n"
                   "    param($wordToComplete, $commandAst, $cursorPosition)\n");
    powershell_tables(out);
    sbuf_adds(out, powershell_body);
}

int complete_script(const char *shell, struct sbuf *out)
{
    static const struct {
        const char *name;
        void (*write)(struct sbuf *out);
    } gens[] = {
        {"bash", bash_script},
        {"zsh", zsh_script},
        {"fish", fish_script},
        {"powershell", powershell_script},
    };

    for (size_t i = 0; i < sizeof(gens) / sizeof(gens[0]); i++) {
        if (strcmp(shell, gens[i].name) != 0)
            continue;
        gens[i].write(out);
        return out->failed ? ERR_NOMEM : 0;
    }
    return ERR_INVAL;
}
