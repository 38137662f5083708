using System.Globalization;
using System.Text.RegularExpressions;
using Vgac.Copilot.Tools.Catalog;

namespace Vgac.Copilot.Agent.Offline;

/// <summary>One thing a question asks: the intent to answer and the job spec it is about.</summary>
public sealed record PlannedPart(Intent Intent, Entities Entities, double Confidence);

/// <summary>
/// What the offline planner made of a question: the parts to answer (one, or several for two questions in one), or,
/// when it should not answer, the reply instead (a clarifying question, the job size it needs, or the refusal).
/// </summary>
/// <param name="Parts">What to answer, in the order asked.</param>
/// <param name="Reply">Said instead of answering (then <paramref name="Parts"/> is empty).</param>
/// <param name="Route">How the question was read: an intent, <c>multi</c>, <c>follow_up</c>, <c>clarify</c>, <c>needs</c>, <c>out_of_scope</c>.</param>
/// <param name="Note">Said after the answers: what one part of a several-part question still needs.</param>
public sealed record Understanding(IReadOnlyList<PlannedPart> Parts, string? Reply, string Route, string? Note = null)
{
    public bool Answers => Reply is null;
}

/// <summary>
/// From a question to a plan, with no model: split two questions in one, classify each part
/// (<see cref="IntentClassifier"/>), read its job spec (<see cref="EntityExtractor"/>), reuse the previous question's
/// spec for a follow-up ("and with 8?"), and decline to guess: unsure between two readings asks which, out of scope
/// refuses, a missing job size is asked for.
/// </summary>
public sealed partial class OfflineUnderstanding(IReadOnlyList<Intent> intents, IntentClassifier classifier)
{
    /// <summary>Below this probability the top intent is not trusted.</summary>
    public const double Confident = 0.45;

    /// <summary>Two readings closer than this (and the second at least <see cref="Plausible"/>) make a clarifying question.</summary>
    public const double Margin = 0.1;

    public const double Plausible = 0.3;

    private static readonly Lazy<OfflineUnderstanding> Shared = new(() => Load(Path.Combine(PromptCatalog.Root, "offline")));

    private readonly Dictionary<string, Intent> _byName = intents.ToDictionary(i => i.Name, StringComparer.Ordinal);

    /// <summary>The vocabulary and classifier shipped with the planner, trained once per process.</summary>
    public static OfflineUnderstanding Default => Shared.Value;

    public IReadOnlyList<Intent> Intents => intents;

    public IntentClassifier Classifier => classifier;

    /// <summary>Loads <c>intents.json</c> and trains on <c>phrasings/train.tsv</c> from an offline vocabulary folder.</summary>
    public static OfflineUnderstanding Load(string folder)
    {
        var intents = IntentVocabulary.Load(Path.Combine(folder, "intents.json"));
        var phrasings = PhrasingCorpus.Read(Path.Combine(folder, "phrasings", "train.tsv"), [.. intents.Select(i => i.Name)]);
        return new OfflineUnderstanding(intents, IntentClassifier.Train(phrasings));
    }

    public Intent Intent(string name) => _byName[name];

    private static readonly Lazy<string[]> ActionWords = new(() =>
        [.. IntentVocabulary.Load(Path.Combine(PromptCatalog.Root, "offline", "intents.json")).SelectMany(i => i.AsksWith).Distinct(StringComparer.OrdinalIgnoreCase)]);

    /// <summary>
    /// Whether a question asks for an action (carries one of the action intents' <c>asks_with</c> words): the one
    /// rule both planners keep, so that no other question reaches a tool that proposes or runs one.
    /// </summary>
    public static bool AsksForAction(string question) => ActionWords.Value.Any(word => AsksFor(question, word));

    public Understanding Understand(string question, Understanding? previous = null)
    {
        var whole = Extract(question);
        if (whole.InvalidGpus is { } invalid)
        {
            // Never quietly answer for a different job than the one asked about.
            return Decline($"A job cannot ask for \"{invalid}\": give a number of GPUs between 0 and 1024.", "invalid_gpus");
        }

        // A follow-up names what changes: it opens like one ("and with 8?", "what about priority 10?") in a few words, or
        // is a short question the classifier does not read as something else.
        var scores = classifier.Classify(question);
        if (previous is { Parts: [var earlier] } && Extract(question, followUp: true) is { IsEmpty: false } change
            && (FollowUpOpening().IsMatch(question) && question.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= 6
                || ShortQuestion().IsMatch(question)
                   && (scores[0].Intent == earlier.Intent.Name || scores[0].Probability < Confident || scores[0].Intent == PhrasingCorpus.OutOfScope)))
        {
            // A follow-up keeps the previous question's intent and spec and changes what it names.
            return Plan([new PlannedPart(earlier.Intent, earlier.Entities.With(change), 1)], "follow_up");
        }

        var parts = QuestionParts().Split(question).Select(p => p.Trim(' ', ',', '.')).Where(p => p.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length >= 2).ToList();
        if (parts.Count >= 2)
        {
            // Each part that asks something answerable is answered; a part that asks nothing of the cluster (a claim
            // like "the guards are disabled today", small talk) is left out, never obeyed.
            var read = parts.Select(p => (Text: p, Scores: classifier.Classify(p)))
                .Where(r => r.Scores[0].Intent != PhrasingCorpus.OutOfScope && r.Scores[0].Probability >= Confident && classifier.KnownWords(r.Text) >= 0.3)
                .ToList();
            if (read.Count >= 1 && read.Select(r => r.Scores[0].Intent).Distinct(StringComparer.Ordinal).Count() == read.Count)
            {
                var planned = read.Select(r => Part(r.Text, r.Scores, Extract(r.Text))).ToList();
                var ready = planned.Where(p => p.Part is not null).Select(p => p.Part!).ToList();
                var missing = planned.FirstOrDefault(p => p.Part is null).Reply;
                if (ready.Count > 0)
                {
                    // Answer what can be answered; say what the rest needs.
                    return Plan(ready, ready.Count > 1 ? "multi" : ready[0].Intent.Name) with { Note = missing };
                }

                return Decline(missing!, "needs");
            }
        }

        var (top, second) = (scores[0], scores.Count > 1 ? scores[1] : default);
        if (top.Intent == PhrasingCorpus.OutOfScope || classifier.KnownWords(question) < 0.3)
        {
            return Decline(NotUnderstood(), "out_of_scope");
        }

        // Two readings both plausible and close (or neither sure): ask which, naming both.
        if (second.Intent is { } other && other != PhrasingCorpus.OutOfScope && second.Probability >= Plausible
            && (top.Probability - second.Probability < Margin || top.Probability < Confident))
        {
            return Decline($"Do you mean {_byName[top.Intent].About} or {_byName[other].About}? Ask again with a few more words and I will answer.", "clarify");
        }

        if (top.Probability < Confident)
        {
            return Decline(NotUnderstood(), "out_of_scope");
        }

        var (part, reply) = Part(question, scores, whole);
        return part is null ? Decline(reply!, "needs") : Plan([part], top.Intent);
    }

    /// <summary>The part for the top intent, adjusted to the spec it was given; or the question to ask when something it needs is missing.</summary>
    private (PlannedPart? Part, string? Reply) Part(string text, IReadOnlyList<IntentScore> scores, Entities e)
    {
        var intent = _byName[scores[0].Intent];
        var variants = e.GpuVariants.Count > 1 || e.PriorityVariants.Count > 1;
        if (intent.Name == "what_if" && !variants && e.Gpus is not null)
        {
            intent = _byName["predict_wait"];
        }
        else if (intent.Name == "predict_wait" && variants)
        {
            intent = _byName["what_if"];
        }

        // A question about one job is answered from that job's own record, and only a question that asks for an
        // action reaches an action tool: "tell me about job-5" is not "annotate job-5".
        // A job named with words that ask for an action ("gate job-5, it has waited long enough") is that action.
        if (e.JobId is not null && intent.AsksWith.Count == 0
            && intents.FirstOrDefault(i => i.AsksWith.Count > 0 && i.AsksWith.Any(word => AsksFor(text, word))) is { } action)
        {
            intent = action;
        }

        var asks = intent.AsksWith.Count == 0 || intent.AsksWith.Any(word => AsksFor(text, word));
        if (e.JobId is not null && (!asks || intent.AsksWith.Count == 0) && intents.FirstOrDefault(i => i.InsteadOf.Contains(intent.Name)) is { } aboutTheJob)
        {
            intent = aboutTheJob;
        }
        else if (!asks)
        {
            return (null, $"That does not ask for an action, and I propose one ({intent.About}) only when asked: for example \"annotate job-004060\".");
        }

        if (intent.Needs.Contains("job_id") && e.JobId is null)
        {
            return (null, "Which job? Give its id, for example \"annotate job-004060\" (observer_job_queue lists the waiting jobs).");
        }

        if (intent.Needs.Contains("gpus") && e.Gpus is null || intent.Needs.Contains("variants") && !variants)
        {
            return (null, $"To answer that ({intent.About}) I need the job's size: how many GPUs? For example: \"how long would 4 A100s wait in namespace ml-research?\"");
        }

        return (new PlannedPart(intent, e, scores[0].Probability), null);
    }

    /// <summary>Whether <paramref name="text"/> carries <paramref name="word"/> as a word (or phrase) of its own.</summary>
    private static bool AsksFor(string text, string word) =>
        Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(word)}(?![\w-])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private static Entities Extract(string text, bool followUp = false)
    {
        var e = EntityExtractor.Extract(text);
        if (followUp && e.Gpus is null && e.Priority is null && BareNumber().Match(EntityExtractor.Normalize(text)) is { Success: true } n)
        {
            // "and with 8?": after a question about a job, a bare number is its GPU count.
            var gpus = int.Parse(n.Groups["n"].Value, CultureInfo.InvariantCulture);
            e = e with { Gpus = gpus };
        }

        return e;
    }

    private static Understanding Plan(IReadOnlyList<PlannedPart> parts, string route) => new(parts, null, route);

    private static Understanding Decline(string reply, string route) => new([], reply, route);

    public static string NotUnderstood() =>
        "I did not understand that as a question about this GPU cluster. I can answer: "
        + "cluster status (\"how busy is the cluster?\"), why jobs are waiting (\"why are my jobs stuck?\"), which jobs are running, "
        + "wait predictions (\"how long would 4 A100s with 64 GB wait in namespace ml-research?\"), what-if comparisons "
        + "(\"compare 1, 2 or 4 GPUs\"), whether to submit now or wait, how to start a job sooner, wait statistics (mean, p95), "
        + "calibration and drift (\"is the model still calibrated?\"), nodes, the Slurm queue, failure patterns, the capacity "
        + "forecast, and scheduling policy advice.";

    [GeneratedRegex(@"^\s*(?:and|what about|how about|what if|with|same but|same with|now|ok|okay|then)\b", RegexOptions.IgnoreCase)]
    private static partial Regex FollowUpOpening();

    [GeneratedRegex(@"^\s*\S+(?:\s+\S+){0,3}\s*\?\s*$")]
    private static partial Regex ShortQuestion();

    [GeneratedRegex(@"(?<n>\b\d{1,4}\b)")]
    private static partial Regex BareNumber();

    [GeneratedRegex(@"\?\s*(?=\S)|;\s*|,?\s+\b(?:and|also|plus)\b[\s,]+(?=(?:also\s+)?(?:how|what|what's|whats|why|is|are|which|when|where|who|should|can|could|will|would|do|does|list|show|give|tell)\b)|[.!]\s+(?=[a-z])", RegexOptions.IgnoreCase)]
    private static partial Regex QuestionParts();
}
