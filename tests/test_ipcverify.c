/* The client's rule for trusting an endpoint's server (both platforms). */
#include <criterion/criterion.h>

#include "err.h"
#include "ipcverify.h"

Test(ipcverify, system_endpoint_needs_a_system_owner)
{
    struct ipc_client_opts o = {.expect = IPC_EXPECT_SYSTEM, .expect_pid = 0};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 100), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SELF, 100), ERR_UNTRUSTED,
                 "a user squatting on the system name is refused");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ADMINS, 100), ERR_UNTRUSTED);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 100), ERR_UNTRUSTED);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ENDPOINT_USER, 100), ERR_UNTRUSTED,
                 "a user's server is never the system service, even for root");
}

Test(ipcverify, the_service_process_must_match_when_known)
{
    struct ipc_client_opts o = {.expect = IPC_EXPECT_SYSTEM, .expect_pid = 4242};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 4242), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 4243), ERR_UNTRUSTED,
                 "another SYSTEM process is not the service");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 0), ERR_UNTRUSTED,
                 "a server process that cannot be named is not the service");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 0), ERR_UNTRUSTED);
}

Test(ipcverify, own_endpoint_accepts_self_admins_or_system)
{
    struct ipc_client_opts o = {.expect = IPC_EXPECT_SELF_OR_SYSTEM, .expect_pid = 0};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SELF, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ADMINS, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_SYSTEM, 1), 0);
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 1), ERR_UNTRUSTED,
                 "another user's server is refused");
    cr_assert_eq(ipc_verify(&o, IPC_OWNER_ENDPOINT_USER, 1), 0,
                 "root may use the svcd of the user whose endpoint it is");
}

Test(ipcverify, a_user_endpoint_belongs_to_the_owner_of_socket_and_directory)
{
    cr_assert_eq(ipc_endpoint_user("/home/a/run/svcd.sock", 1001, 1001, 040700), 1001);
    cr_assert_eq(ipc_endpoint_user("/run/user/1001/svcd/svcd.sock", 1001, 1001, 040700), 1001);
    cr_assert_eq(ipc_endpoint_user("/tmp/svcd-1001/svcd.sock", 1001, 1001, 040700), 1001,
                 "the default /tmp name matches its owner");
    cr_assert_eq(ipc_endpoint_user("/tmp/svcd-1001/svcd.sock", 1002, 1002, 040700), -1,
                 "/tmp/svcd-1001 made by uid 1002 is a squat, not 1002's endpoint");
    cr_assert_eq(ipc_endpoint_user("/home/a/run/svcd.sock", 1002, 1001, 040700), -1,
                 "a socket someone else put there");
    cr_assert_eq(ipc_endpoint_user("/tmp/shared/svcd.sock", 1002, 0, 041777), -1,
                 "a shared directory is nobody's in particular");
    cr_assert_eq(ipc_endpoint_user("/home/a/run/svcd.sock", 1001, 1001, 040770), -1,
                 "a directory its group may write to");
    cr_assert_eq(ipc_endpoint_user("/tmp/svcd-x/svcd.sock", 1001, 1001, 040700), 1001,
                 "only svcd-<digits> names a uid");
    cr_assert_eq(ipc_endpoint_user("svcd.sock", 1001, 1001, 040700), -1);
}

Test(ipcverify, no_expectation_no_check)
{
    struct ipc_client_opts o = {.expect = IPC_EXPECT_ANY, .expect_pid = 99};

    cr_assert_eq(ipc_verify(&o, IPC_OWNER_OTHER, 1), 0);
    cr_assert_eq(ipc_verify(NULL, IPC_OWNER_OTHER, 1), 0);
}
