using System.Diagnostics.CodeAnalysis;

namespace Serving.Core.Storage;

/// <summary>
/// Either a value or a <see cref="StoreError"/>: what registry and rollout operations return; they never
/// throw for expected failures.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
internal sealed record StoreResult<T>
{
    private StoreResult(T? value, StoreError? error)
    {
        Value = value;
        Error = error;
    }

    /// <summary>The value, when <see cref="IsSuccess"/>.</summary>
    public T? Value { get; }

    /// <summary>The failure, when not <see cref="IsSuccess"/>.</summary>
    public StoreError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool IsSuccess => Error is null;

    /// <summary>A successful result.</summary>
    public static StoreResult<T> Success(T value) => new(value, null);

    /// <summary>A failed result.</summary>
    public static StoreResult<T> Failure(StoreError error) => new(default, error);

    /// <summary>A failed result.</summary>
    public static StoreResult<T> Failure(StoreErrorCode code, string message) => new(default, new StoreError(code, message));

    /// <summary>Wraps a value.</summary>
    public static implicit operator StoreResult<T>(T value) => Success(value);

    /// <summary>Wraps an error.</summary>
    public static implicit operator StoreResult<T>(StoreError error) => Failure(error);
}
