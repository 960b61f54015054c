using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Grocery.Workflows.Consumers.Notifications;

public static class NotificationRegistration
{
    /// <summary>The notification settings and the sender's HTTP client; an <see cref="INotificationBook"/> must be a service.</summary>
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationSettings>().BindConfiguration(NotificationSettings.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient<NotificationSender>((sp, http) => http.Timeout = sp.GetRequiredService<IOptions<NotificationSettings>>().Value.Timeout);
        return services;
    }
}
