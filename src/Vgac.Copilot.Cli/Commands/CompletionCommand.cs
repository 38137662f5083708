using System.CommandLine;

namespace Vgac.Copilot.Cli.Commands;

/// <summary>
/// <c>vgac completion bash|zsh|powershell</c>: a script that makes the shell complete commands, options and values
/// by asking <c>vgac</c> itself (its <c>[suggest:POSITION]</c> directive), so completion always matches the program.
/// </summary>
internal sealed class CompletionCommand : VgacCommand
{
    private readonly Argument<string> shell = new("shell") { Description = "bash, zsh or powershell." };

    public CompletionCommand(CliContext context)
        : base(context, "completion", "Print a shell completion script for bash, zsh or PowerShell.")
    {
        shell.AcceptOnlyFromAmong(Scripts.Keys.ToArray());
        Add(shell);
        Examples =
        [
            ("source <(vgac completion bash)", "bash, now; add the line to ~/.bashrc to keep it"),
            ("vgac completion zsh > \"${fpath[1]}/_vgac\"", "zsh (then start a new shell)"),
            ("vgac completion powershell | Out-String | Invoke-Expression", "PowerShell; add it to $PROFILE to keep it"),
        ];
    }

    /// <summary>The scripts. Each passes the line and the cursor position to vgac and offers what it prints back.</summary>
    public static IReadOnlyDictionary<string, string> Scripts { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["bash"] = """
            # vgac completion for bash: source <(vgac completion bash)
            _vgac_complete() {
                local IFS=$'\n'
                local line="${COMP_LINE:0:$COMP_POINT}"
                line="${line#"${COMP_WORDS[0]}"}"
                line="${line# }"
                COMPREPLY=($(compgen -W "$(vgac "[suggest:${#line}]" "$line" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
            }
            complete -o default -F _vgac_complete vgac

            """,
        ["zsh"] = """
            #compdef vgac
            # vgac completion for zsh: vgac completion zsh > "${fpath[1]}/_vgac"
            _vgac() {
                local line="${BUFFER[1,$CURSOR]}"
                line="${line#${words[1]}}"
                line="${line# }"
                local -a suggestions
                suggestions=("${(@f)$(vgac "[suggest:${#line}]" "$line" 2>/dev/null)}")
                compadd -a suggestions
            }
            compdef _vgac vgac

            """,
        ["powershell"] = """
            # vgac completion for PowerShell: vgac completion powershell | Out-String | Invoke-Expression
            Register-ArgumentCompleter -Native -CommandName vgac -ScriptBlock {
                param($wordToComplete, $commandAst, $cursorPosition)
                $line = $commandAst.ToString()
                if ($line.Length -gt $cursorPosition) { $line = $line.Substring(0, $cursorPosition) }
                $line = ($line -replace '^\S+\s?', '')
                vgac "[suggest:$($line.Length)]" "$line" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                    [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
                }
            }

            """,
    };

    /// <summary>Prints a script: no configuration or services are needed (nor built).</summary>
    protected override async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        await Context.Out.WriteAsync(Scripts[parse.GetValue(shell)!].ReplaceLineEndings("\n")).ConfigureAwait(false);
        return ExitCodes.Success;
    }
}
