using System.Diagnostics.CodeAnalysis;

namespace Serving.Core.Rollouts;

/// <summary>Either a value or a <see cref="RolloutError"/>; rollout operations never throw for expected failures.</summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed record RolloutResult<T>
{
    private RolloutResult(T? value, RolloutError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value, when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>The failure, when not <see cref="IsSuccess"/>.</summary>
    public RolloutError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A successful result.</summary>
    public static RolloutResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static RolloutResult<T> Failure(RolloutError error) => new(default, error);

    /// <summary>A failed result.</summary>
    public static RolloutResult<T> Failure(RolloutErrorCode code, string message) => new(default, new RolloutError(code, message));

    /// <summary>Wraps a value.</summary>
    public static implicit operator RolloutResult<T>(T value) => Success(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator RolloutResult<T>(RolloutError error) => Failure(error);
}
