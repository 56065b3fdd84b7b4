using System.Globalization;
using System.Text;
using Serving.Core.Registry;

namespace Serving.Core.Rollouts;

/// <summary>
/// The audit entries of rollout changes, appended to the model's trail next to its registry changes:
/// who (<see cref="RolloutPolicy.UpdatedBy"/>), why (<see cref="RolloutPolicy.Reason"/>), and the
/// routing before and after in words.
/// </summary>
internal static class RolloutAudit
{
    /// <summary>
    /// The entry of a policy stored over <paramref name="before"/> (null when it is new); null when the
    /// write changes nothing an entry would show (the same routing, step, actor and reason: the rollout
    /// controller's bookkeeping, such as the time of the next analysis), so the trail records changes,
    /// not heartbeats.
    /// </summary>
    public static AuditEntry? Set(RolloutPolicy? before, RolloutPolicy after, DateTimeOffset now)
    {
        var described = Describe(after);
        if (before is not null
            && string.Equals(Describe(before), described, StringComparison.Ordinal)
            && string.Equals(before.UpdatedBy, after.UpdatedBy, StringComparison.Ordinal)
            && string.Equals(before.Reason, after.Reason, StringComparison.Ordinal))
        {
            return null;
        }

        return new AuditEntry
        {
            Model = after.Model,
            Revision = after.Revision,
            Timestamp = after.UpdatedAt ?? now,
            Actor = new ChangeContext(after.UpdatedBy, null).AuditActor,
            Action = AuditAction.RolloutSet,
            Before = before is null ? null : Describe(before),
            After = described,
            Reason = new ChangeContext(null, after.Reason).AuditReason,
        };
    }

    /// <summary>The entry of a deleted policy.</summary>
    public static AuditEntry Delete(RolloutPolicy deleted, ChangeContext context, DateTimeOffset now) => new()
    {
        Model = deleted.Model,
        Revision = deleted.Revision,
        Timestamp = now,
        Actor = context.AuditActor,
        Action = AuditAction.RolloutDelete,
        Before = Describe(deleted),
        Reason = context.AuditReason,
    };

    /// <summary>
    /// The entry of a policy written back by <paramref name="replica"/> after the shared store lost its
    /// data: who (the replica), why, and the routing restored.
    /// </summary>
    public static AuditEntry Restore(RolloutPolicy restored, string replica, DateTimeOffset now) => new()
    {
        Model = restored.Model,
        Revision = restored.Revision,
        Timestamp = now,
        Actor = "replica " + replica,
        Action = AuditAction.RolloutRestore,
        After = Describe(restored),
        Reason = string.Create(CultureInfo.InvariantCulture,
            $"rollout store lost its data; restored the policy from replica {replica}'s last known state (revision {restored.Revision})"),
    };

    /// <summary>The policy's routing in words, e.g. <c>canary: stable v2, canary v3, weight 25%, step 1 Paused</c>.</summary>
    public static string Describe(RolloutPolicy policy)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        switch (policy.Mode)
        {
            case RolloutMode.Canary when policy.Canary is { } canary:
                text.Append(culture, $"canary: stable v{canary.StableVersion}");
                if (canary.CanaryVersion is { } c)
                {
                    text.Append(culture, $", canary v{c}");
                }

                text.Append(culture, $", weight {canary.Weight}%");
                break;
            case RolloutMode.BlueGreen when policy.BlueGreen is { } blueGreen:
                text.Append(culture, $"blue-green: active v{blueGreen.ActiveVersion}");
                if (blueGreen.PreviewVersion is { } p)
                {
                    text.Append(culture, $", preview v{p}");
                }

                break;
            default:
                text.Append("none");
                break;
        }

        if (policy.Shadow is { } shadow)
        {
            text.Append(culture, $", shadow v{shadow.Version} at {shadow.Percentage}%");
        }

        if (policy.Progress is { } progress)
        {
            text.Append(culture, $", step {progress.StepIndex} {progress.Status}");
        }

        return text.ToString();
    }
}
